package io.lvspulse.failover;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the failover state: timers and events (received heartbeats, health
 * changes, reloads) all run on it, one at a time. {@link #threaded} is the real one; tests use a
 * manual scheduler driven by a fake clock so nothing sleeps.
 */
public interface FailoverScheduler {

  /** Runs {@code task} on the scheduler thread after {@code delay}. */
  Cancellable schedule(Duration delay, Runnable task);

  /** Runs {@code task} on the scheduler thread as soon as possible. */
  default void execute(Runnable task) {
    schedule(Duration.ZERO, task);
  }

  /** Stops running tasks; pending ones are dropped. */
  void shutdown();

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /** A scheduler on one daemon thread named {@code name}. */
  static FailoverScheduler threaded(String name) {
    return new Threaded(name);
  }

  /** The real scheduler: one {@link ScheduledExecutorService} thread; a failing task is logged. */
  final class Threaded implements FailoverScheduler {
    private static final Logger log = LoggerFactory.getLogger(FailoverScheduler.class);
    private final ScheduledExecutorService exec;

    Threaded(String name) {
      this.exec =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
              });
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      Runnable safe =
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.error("failover task failed", e);
            }
          };
      try {
        ScheduledFuture<?> f =
            exec.schedule(safe, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return () -> {};
      }
    }

    @Override
    public void shutdown() {
      exec.shutdownNow();
      try {
        exec.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
