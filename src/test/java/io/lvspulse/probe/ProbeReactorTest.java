package io.lvspulse.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The selector machinery the probe engines share, driven by a scripted handler. */
class ProbeReactorTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  static final class Job extends ProbeReactor.Task {
    final int id;
    int timers;

    Job(int id) {
      this.id = id;
    }
  }

  /** A handler whose begin and onReady are scripted by the test; it records what happens. */
  static final class Script implements ProbeReactor.Handler<Job> {
    final ProbeReactor.Loop<Job> loop;
    final BiConsumer<Script, Job> begin;
    final ConcurrentLinkedQueue<String> events;
    final List<Job> released = Collections.synchronizedList(new ArrayList<>());
    Consumer<Job> onReady = j -> {};

    Script(
        ProbeReactor.Loop<Job> loop,
        BiConsumer<Script, Job> begin,
        ConcurrentLinkedQueue<String> events) {
      this.loop = loop;
      this.begin = begin;
      this.events = events;
    }

    @Override
    public void begin(Job task) {
      events.add("begin " + task.id);
      begin.accept(this, task);
    }

    @Override
    public void onReady(Job task, SelectionKey key) {
      events.add("ready " + task.id);
      onReady.accept(task);
    }

    @Override
    public void onTimer(Job task) {
      task.timers++;
      events.add("timer " + task.id);
      loop.end(task, ProbeResult.ok("timer " + task.timers, loop.elapsed(task)));
    }

    @Override
    public void release(Job task) {
      released.add(task);
    }
  }

  private final List<Script> scripts = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

  private ProbeReactor<Job> reactor(int threads, BiConsumer<Script, Job> begin) throws IOException {
    return reactor(threads, Runnable::run, begin);
  }

  private ProbeReactor<Job> reactor(
      int threads, java.util.concurrent.Executor completions, BiConsumer<Script, Job> begin)
      throws IOException {
    ProbeReactor<Job> r =
        new ProbeReactor<>(
            "test reactor",
            "test-reactor",
            threads,
            System::nanoTime,
            completions,
            loop -> {
              Script s = new Script(loop, begin, events);
              scripts.add(s);
              return s;
            });
    toClose.add(r);
    return r;
  }

  @Test
  void a_timer_armed_by_begin_fires_once_when_due_and_the_task_ends_released() throws Exception {
    ProbeReactor<Job> r = reactor(1, (s, j) -> s.loop.armTimer(j, s.loop.now() + 20_000_000L));
    Job job = new Job(1);
    ProbeResult res = r.submit(job).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(res.success()).isTrue();
    assertThat(res.message()).isEqualTo("timer 1");
    assertThat(res.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
    assertThat(scripts.get(0).released).containsExactly(job);
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void an_earlier_timer_replaces_a_later_one_and_the_later_entry_is_skipped_as_stale()
      throws Exception {
    ProbeReactor<Job> r =
        reactor(
            1,
            (s, j) -> {
              s.loop.armTimer(j, s.loop.now() + TimeUnit.SECONDS.toNanos(30));
              s.loop.armTimer(j, s.loop.now() + 10_000_000L);
              s.loop.armTimer(j, s.loop.now() + TimeUnit.SECONDS.toNanos(60)); // later: ignored
            });
    Job job = new Job(1);
    ProbeResult res = r.submit(job).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(res.elapsed()).isLessThan(Duration.ofSeconds(30));
    assertThat(job.timers).isEqualTo(1);
  }

  @Test
  void a_loop_starts_at_most_one_batch_of_queued_tasks_between_two_selects() throws Exception {
    Pipe pipe = Pipe.open();
    toClose.add(pipe.sink());
    toClose.add(pipe.source());
    pipe.sink()
        .write(
            ByteBuffer.wrap(new byte[] {1})); // the source stays readable: every select reports it
    pipe.source().configureBlocking(false);
    CountDownLatch queued = new CountDownLatch(1);
    int n = 3 * ProbeReactor.BEGIN_BATCH + 10;
    ProbeReactor<Job> r =
        reactor(
            1,
            (s, j) -> {
              if (j.id == 0) {
                try {
                  pipe.source().register(s.loop.selector(), SelectionKey.OP_READ, j);
                  queued.await(5, TimeUnit.SECONDS); // hold the loop until the burst is queued
                } catch (IOException | InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              } else {
                s.loop.end(j, ProbeResult.ok("started", Duration.ZERO));
              }
            });
    r.submit(new Job(0));
    await().atMost(WAIT).until(() -> events.contains("begin 0"));
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      fs.add(r.submit(new Job(i)));
    }
    queued.countDown();
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new))
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    int run = 0;
    int longest = 0;
    int begins = 0;
    for (String e : events) {
      if (e.startsWith("begin ")) {
        begins++;
        longest = Math.max(longest, ++run);
      } else {
        run = 0;
      }
    }
    assertThat(begins).isEqualTo(n + 1);
    assertThat(longest).isEqualTo(ProbeReactor.BEGIN_BATCH);
  }

  @Test
  void tasks_are_assigned_round_robin_to_every_loop() throws Exception {
    ProbeReactor<Job> r = reactor(3, (s, j) -> s.loop.end(j, ProbeResult.ok("ok", Duration.ZERO)));
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      fs.add(r.submit(new Job(i)));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new))
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(r.loops()).extracting(ProbeReactor.Loop::started).containsExactly(10L, 10L, 10L);
    assertThat(r.loops())
        .extracting(l -> l.thread().getName())
        .containsExactly("test-reactor-0", "test-reactor-1", "test-reactor-2");
  }

  @Test
  void close_fails_running_and_queued_tasks_with_an_io_error_releases_them_and_stops_every_thread()
      throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    ProbeReactor<Job> r =
        reactor(
            2,
            (s, j) -> {
              if (j.id == 0) {
                try {
                  hold.await(5, TimeUnit.SECONDS); // loop 0 is busy while the rest queue up
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              // every task runs until the reactor closes
            });
    List<Job> jobs = new ArrayList<>();
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Job j = new Job(i);
      jobs.add(j);
      fs.add(r.submit(j));
    }
    await().atMost(WAIT).until(() -> r.loops().get(1).started() == 5);
    Thread closer = new Thread(r::close);
    closer.start();
    await()
        .atMost(WAIT)
        .until(() -> r.loops().get(1).thread().getState() == Thread.State.TERMINATED);
    hold.countDown();
    closer.join(WAIT.toMillis());

    for (CompletableFuture<ProbeResult> f : fs) {
      ProbeResult res = f.getNow(null);
      assertThat(res).isNotNull();
      assertThat(res.cause()).contains(FailureCause.LOCAL_ERROR);
      assertThat(res.message()).isEqualTo("test reactor closed");
    }
    List<Job> released = new ArrayList<>();
    scripts.forEach(s -> released.addAll(s.released));
    assertThat(released).containsExactlyInAnyOrderElementsOf(jobs);
    assertThat(r.loops()).noneMatch(l -> l.thread().isAlive());
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void a_task_submitted_after_close_completes_at_once_with_a_local_error() throws Exception {
    ProbeReactor<Job> r = reactor(1, (s, j) -> {});
    r.close();
    CompletableFuture<ProbeResult> f = r.submit(new Job(1));
    assertThat(f).isDone();
    assertThat(f.join().cause()).contains(FailureCause.LOCAL_ERROR);
    assertThat(f.join().message()).isEqualTo("test reactor is closed");
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void a_loop_that_dies_fails_its_tasks_and_closes_the_reactor() throws Exception {
    ProbeReactor<Job> r =
        reactor(
            1,
            (s, j) -> {
              if (j.id == 1) {
                throw new IllegalStateException("handler bug");
              }
            });
    CompletableFuture<ProbeResult> running = r.submit(new Job(0));
    CompletableFuture<ProbeResult> fatal = r.submit(new Job(1));
    assertThat(running.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).cause())
        .contains(FailureCause.LOCAL_ERROR);
    assertThat(fatal.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).cause())
        .contains(FailureCause.LOCAL_ERROR);
    assertThat(r.submit(new Job(2))).isCompletedWithValueMatching(res -> res.cause().isPresent());
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void a_result_the_executor_rejects_is_completed_on_the_loop_thread_instead() throws Exception {
    AtomicInteger rejected = new AtomicInteger();
    ProbeReactor<Job> r =
        reactor(
            1,
            task -> {
              rejected.incrementAndGet();
              throw new RejectedExecutionException("full");
            },
            (s, j) -> s.loop.end(j, ProbeResult.ok("done", Duration.ZERO)));
    ProbeResult res = r.submit(new Job(1)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(res.message()).isEqualTo("done");
    assertThat(rejected).hasValue(1);
  }

  @Test
  void zero_threads_is_rejected() {
    assertThatThrownBy(() -> reactor(0, (s, j) -> {})).isInstanceOf(IllegalArgumentException.class);
  }
}
