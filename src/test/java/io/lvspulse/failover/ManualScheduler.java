package io.lvspulse.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link FailoverScheduler} driven by a {@link MutableClock}: {@link #advance} runs what is due.
 */
final class ManualScheduler implements FailoverScheduler {
  private final MutableClock clock;
  private final List<Task> tasks = new ArrayList<>();
  private long seq;
  private boolean shutdown;

  private record Task(Instant due, long seq, Runnable run, boolean[] cancelled) {}

  ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    if (!shutdown) {
      tasks.add(new Task(clock.instant().plus(delay), seq++, task, cancelled));
    }
    return () -> cancelled[0] = true;
  }

  private volatile boolean inline;

  /**
   * From now on {@link #execute} runs its task at once on the caller's thread (to let a blocking
   * stop() finish).
   */
  void runInline() {
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
  void runDue() {
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
  void advance(Duration d) {
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
}
