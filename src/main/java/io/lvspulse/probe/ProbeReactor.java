package io.lvspulse.probe;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selector machinery the probe engines share: one or more selector threads ("loops"), each with
 * its own {@link Selector}, submission queue, timer heap and probes in flight. An engine supplies
 * only the protocol, as a {@link Handler} per loop; the reactor owns the threads and the
 * guarantees:
 *
 * <ul>
 *   <li>{@link #submit} never blocks: it queues the task on the next loop (round-robin) and wakes
 *       that loop's selector at most once per select.
 *   <li>A loop starts at most {@value #BEGIN_BATCH} queued tasks between two selects, so the
 *       replies to probes already running are read while a large burst is still being started.
 *   <li>Every task ends exactly once ({@link Loop#end}): its resources are released by {@link
 *       Handler#release} and its result is handed to the completion executor (or completed on the
 *       loop thread if the executor rejects it), so futures never complete exceptionally.
 *   <li>{@link #close} stops every loop; tasks still queued or running complete with {@link
 *       FailureCause#LOCAL_ERROR}, and each loop closes its selector. A loop that dies of an
 *       unexpected exception does the same and closes the reactor.
 * </ul>
 *
 * <p>Everything a {@link Loop} holds except its queue belongs to its thread; {@link Handler}
 * methods run on that thread only.
 *
 * @param <T> the engine's probe in flight
 */
public final class ProbeReactor<T extends ProbeReactor.Task> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProbeReactor.class);

  /** Queued tasks a loop starts at most between two selects. */
  public static final int BEGIN_BATCH = 64;

  private final String name;
  private final LongSupplier nanoTime;
  private final Executor completions;
  private final List<Loop<T>> loops;
  private final AtomicInteger nextLoop = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closing;

  /**
   * Opens the selectors and starts the threads.
   *
   * @param name the engine's name in messages and logs (e.g. {@code "TFTP engine"})
   * @param threadName prefix of the threads' names; each gets {@code -<index>}
   * @param threads how many selector threads, at least 1
   * @param nanoTime the monotonic clock (as {@link System#nanoTime})
   * @param completions where futures are completed
   * @param handlers makes the handler of each loop (called before any thread starts)
   */
  public ProbeReactor(
      String name,
      String threadName,
      int threads,
      LongSupplier nanoTime,
      Executor completions,
      Function<Loop<T>, Handler<T>> handlers)
      throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("selectorThreads must be at least 1: " + threads);
    }
    this.name = name;
    this.nanoTime = nanoTime;
    this.completions = completions;
    List<Loop<T>> l = new ArrayList<>(threads);
    try {
      for (int i = 0; i < threads; i++) {
        l.add(new Loop<>(this, threadName + "-" + i, handlers));
      }
    } catch (IOException | RuntimeException e) {
      for (Loop<T> loop : l) {
        try {
          loop.selector.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    this.loops = List.copyOf(l);
    for (Loop<T> loop : loops) {
      loop.thread.start();
    }
  }

  /**
   * Queues {@code task} on the next loop and returns its future. Never blocks; once the reactor is
   * closed the future is already complete with {@link FailureCause#LOCAL_ERROR}.
   */
  public CompletableFuture<ProbeResult> submit(T task) {
    CompletableFuture<ProbeResult> future = ((Task) task).future;
    if (closing) {
      future.complete(closedResult());
      return future;
    }
    inFlight.incrementAndGet();
    ((Task) task).submittedAt = nanoTime.getAsLong();
    Loop<T> loop = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    loop.submitted.add(task);
    if (loop.wakeupPending.compareAndSet(false, true)) {
      loop.selector.wakeup();
    }
    if (closing && loop.submitted.remove(task)) {
      // closed meanwhile: the loop may have drained its queue for the last time already; whoever
      // takes the task out of the queue completes it
      inFlight.decrementAndGet();
      future.complete(closedResult());
    }
    return future;
  }

  private ProbeResult closedResult() {
    return ProbeResult.localError(name + " is closed", Duration.ZERO);
  }

  /** Tasks queued or running. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The loops, in the order tasks are assigned to them. */
  public List<Loop<T>> loops() {
    return loops;
  }

  /**
   * Stops every loop and waits for them (five seconds at the most); tasks still queued or running
   * complete with {@link FailureCause#LOCAL_ERROR}. Called on a loop's own thread, it does not wait
   * for that loop.
   */
  @Override
  public void close() {
    closing = true;
    for (Loop<T> loop : loops) {
      loop.selector.wakeup();
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (Loop<T> loop : loops) {
      if (Thread.currentThread() == loop.thread) {
        continue;
      }
      try {
        loop.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** What an engine does on a loop's thread; one handler per loop. */
  public interface Handler<T extends Task> {
    /**
     * Starts a task taken from the queue: opens and registers its channels (attaching the task to
     * their keys), {@linkplain Loop#armTimer arms a timer}, or {@linkplain Loop#end ends} it.
     */
    void begin(T task);

    /** A key of {@code task}'s (valid, the task not ended) is ready; {@link Loop#now} is fresh. */
    void onReady(T task, SelectionKey key);

    /** The timer last armed for {@code task} is due; no timer is armed for it any more. */
    void onTimer(T task);

    /** Releases what {@code task} holds (closes its channels); called once, as it ends. */
    void release(T task);
  }

  /** One probe in flight; engines extend it with their own state. */
  public abstract static class Task {
    private final CompletableFuture<ProbeResult> future = new CompletableFuture<>();
    private long submittedAt;
    private long timerAt = Long.MAX_VALUE;
    private boolean done;

    protected Task() {}

    /** When it was submitted, on the reactor's clock. */
    public final long submittedAt() {
      return submittedAt;
    }

    /** Whether it has ended (on its loop's thread). */
    public final boolean done() {
      return done;
    }
  }

  private record TimerEntry<T>(long at, T task) implements Comparable<TimerEntry<T>> {
    @Override
    public int compareTo(TimerEntry<T> o) {
      return Long.compare(at - o.at, 0);
    }
  }

  /** One selector thread and the tasks assigned to it. */
  public static final class Loop<T extends Task> {
    private final ProbeReactor<T> reactor;
    private final Selector selector;
    private final Thread thread;
    private final Handler<T> handler;
    private final ConcurrentLinkedQueue<T> submitted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicLong started = new AtomicLong();
    private final Set<T> active = new HashSet<>();
    private final PriorityQueue<TimerEntry<T>> timers = new PriorityQueue<>();
    private volatile int timerCount;
    private long now;

    private Loop(ProbeReactor<T> reactor, String threadName, Function<Loop<T>, Handler<T>> handlers)
        throws IOException {
      this.reactor = reactor;
      this.selector = Selector.open();
      this.thread = new Thread(this::run, threadName);
      this.thread.setDaemon(true);
      try {
        this.handler = handlers.apply(this);
      } catch (RuntimeException e) {
        selector.close();
        throw e;
      }
    }

    /** The loop's selector, to register the tasks' channels with. */
    public Selector selector() {
      return selector;
    }

    /** The clock as read last by the loop (after each select and before each ready key). */
    public long now() {
      return now;
    }

    /** Time since {@code task} was submitted, by {@link #now}. */
    public Duration elapsed(Task task) {
      return Duration.ofNanos(Math.max(0, now - task.submittedAt));
    }

    /**
     * Asks for {@link Handler#onTimer} at {@code at} (reactor clock). A timer already armed for an
     * earlier time wins; an earlier one replaces it.
     */
    public void armTimer(T task, long at) {
      Task t = task;
      if (at < t.timerAt) {
        t.timerAt = at;
        timers.add(new TimerEntry<>(at, task));
      }
    }

    /**
     * Ends {@code task} with {@code result}: releases it and completes its future. Later calls do
     * nothing.
     */
    public void end(T task, ProbeResult result) {
      Task t = task;
      if (t.done) {
        return;
      }
      t.done = true;
      active.remove(task);
      handler.release(task);
      reactor.inFlight.decrementAndGet();
      CompletableFuture<ProbeResult> future = t.future;
      try {
        reactor.completions.execute(() -> future.complete(result));
      } catch (RuntimeException e) { // rejected: complete here rather than never
        future.complete(result);
      }
    }

    /** Tasks this loop has started. */
    public long started() {
      return started.get();
    }

    /** Entries in the timer heap, stale ones included (as of the last iteration). */
    public int queuedTimers() {
      return timerCount;
    }

    /** The loop's thread. */
    public Thread thread() {
      return thread;
    }

    private void run() {
      try {
        while (!reactor.closing) {
          now = reactor.nanoTime.getAsLong();
          long wait = 0;
          if (!submitted.isEmpty()) {
            wait = -1;
          } else {
            TimerEntry<T> next = timers.peek();
            if (next != null) {
              long ns = next.at - now;
              wait = ns <= 0 ? -1 : Math.max(1, (ns + 999_999) / 1_000_000);
            }
          }
          try {
            if (wait < 0) {
              selector.selectNow(this::onReady);
            } else {
              selector.select(this::onReady, wait);
            }
          } catch (IOException e) {
            log.warn("{}: select failed: {}", reactor.name, e.toString());
          }
          wakeupPending.set(false);
          now = reactor.nanoTime.getAsLong();
          runTimers();
          T t;
          for (int i = 0;
              i < BEGIN_BATCH && !reactor.closing && (t = submitted.poll()) != null;
              i++) {
            started.incrementAndGet();
            active.add(t);
            handler.begin(t);
          }
          timerCount = timers.size();
        }
      } catch (ClosedSelectorException e) {
        log.debug("{} selector closed", reactor.name);
      } catch (RuntimeException | Error e) {
        log.error("{} thread failed; failing every probe in flight", reactor.name, e);
      } finally {
        shutdown();
      }
    }

    @SuppressWarnings("unchecked") // only tasks of this reactor are attached to its keys
    private void onReady(SelectionKey key) {
      if (!(key.attachment() instanceof Task att) || att.done || !key.isValid()) {
        return; // a channel closed earlier in this batch of events
      }
      now = reactor.nanoTime.getAsLong(); // select may have waited
      handler.onReady((T) att, key);
    }

    private void runTimers() {
      TimerEntry<T> e;
      while ((e = timers.peek()) != null && e.at - now <= 0) {
        timers.poll();
        Task t = e.task;
        if (t.done || t.timerAt != e.at) {
          continue; // stale entry
        }
        t.timerAt = Long.MAX_VALUE;
        handler.onTimer(e.task);
      }
    }

    private void shutdown() {
      reactor.closing = true;
      now = reactor.nanoTime.getAsLong();
      String closed = reactor.name + " closed";
      for (T t : new ArrayList<>(active)) {
        end(t, ProbeResult.localError(closed, elapsed(t)));
      }
      T t;
      while ((t = submitted.poll()) != null) {
        end(t, ProbeResult.localError(closed, Duration.ZERO));
      }
      try {
        selector.close();
      } catch (IOException e) {
        log.debug("closing selector: {}", e.toString());
      }
    }
  }
}
