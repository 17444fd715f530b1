package io.lvspulse.testing;

import io.lvspulse.failover.FailoverScheduler;
import io.lvspulse.monitor.ProbeScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one manual scheduler of the tests, driven by a {@link MutableClock}; nothing runs by itself.
 *
 * <ul>
 *   <li>As the failover's {@link FailoverScheduler}: tasks wait until {@link #advance} or {@link
 *       #runDue} reaches their time, on the test's thread.
 *   <li>As the monitor's {@link ProbeScheduler}: each named schedule is recorded ({@link
 *       #intervals}, {@link #delays}, {@link #fires}); the test fires probes itself.
 * </ul>
 */
public final class ManualScheduler implements FailoverScheduler, ProbeScheduler {
  private final MutableClock clock;
  private final List<Task> tasks = new ArrayList<>();
  private long seq;
  private boolean shutdown;
  private volatile boolean inline;

  /** Probe schedules by name: the interval. */
  public final Map<String, Duration> intervals = new ConcurrentHashMap<>();

  /** Probe schedules by name: the initial delay. */
  public final Map<String, Duration> delays = new ConcurrentHashMap<>();

  /** Probe schedules by name: what firing runs. */
  public final Map<String, Runnable> fires = new ConcurrentHashMap<>();

  private record Task(Instant due, long seq, Runnable run, boolean[] cancelled) {}

  public ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  // ---- FailoverScheduler --------------------------------------------------------------------

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    if (!shutdown) {
      tasks.add(new Task(clock.instant().plus(delay), seq++, task, cancelled));
    }
    return () -> cancelled[0] = true;
  }

  /**
   * From now on {@link #execute} runs its task at once on the caller's thread (to let a blocking
   * stop() finish).
   */
  public void runInline() {
    inline = true;
  }

  @Override
  public void execute(Runnable task) {
    if (inline) {
      task.run();
    } else {
      schedule(Duration.ZERO, task);
    }
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
    tasks.clear();
  }

  /** Runs every task due now (including ones they schedule for now). */
  public void runDue() {
    for (int guard = 0; guard < 100_000; guard++) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> !t.due().isAfter(clock.instant()))
                .min(Comparator.comparing(Task::due).thenComparingLong(Task::seq))
                .orElse(null);
        if (next == null) {
          return;
        }
        tasks.remove(next);
      }
      if (!next.cancelled()[0]) {
        next.run().run();
      }
    }
    throw new IllegalStateException("runaway scheduler");
  }

  /** Advances the clock in steps of at most 10 ms, running due tasks at each step. */
  public void advance(Duration d) {
    Instant end = clock.instant().plus(d);
    runDue();
    while (clock.instant().isBefore(end)) {
      Duration step = Duration.between(clock.instant(), end);
      if (step.compareTo(Duration.ofMillis(10)) > 0) {
        step = Duration.ofMillis(10);
      }
      clock.advance(step);
      runDue();
    }
  }

  // ---- ProbeScheduler -----------------------------------------------------------------------

  @Override
  public void schedule(String name, Duration interval, Duration initialDelay, Runnable fire) {
    intervals.put(name, interval);
    delays.put(name, initialDelay);
    fires.put(name, fire);
  }

  @Override
  public void unschedule(String name) {
    intervals.remove(name);
    delays.remove(name);
    fires.remove(name);
  }

  @Override
  public void start() {}

  @Override
  public void close() {}
}
