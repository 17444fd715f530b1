package io.lvspulse.testing;

import java.time.Duration;
import java.util.Objects;

/**
 * The only place a test sleeps. A test that waits for something (a process started, a file
 * appeared, a state reached) uses Awaitility or the injected clock ({@link MutableClock}, {@link
 * ManualScheduler}); a test that proves something holds for a while uses Awaitility's {@code
 * during}. What is left is time that is itself the point of the test: a load generator's rate, a
 * peer that answers late or never, a quiet period a real-time debounce must see, a benchmark's run.
 * Each such pause says why, so every remaining sleep is explicit and {@code NoBareSleepTest} can
 * refuse the others.
 */
public final class Pause {
  private Pause() {}

  /**
   * Sleeps for {@code d} because the delay is what the test exercises (pacing, a simulated slow
   * peer or command, a quiet period). {@code why} names that reason; it is not a wait for a
   * condition.
   */
  public static void pace(Duration d, String why) throws InterruptedException {
    Objects.requireNonNull(why, "why");
    if (why.isBlank()) {
      throw new IllegalArgumentException("say why this test sleeps");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative pause " + d + ": " + why);
    }
    Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
  }

  /** {@link #pace} in milliseconds, for rates given as a number of milliseconds. */
  public static void paceMillis(long ms, String why) throws InterruptedException {
    pace(Duration.ofMillis(ms), why);
  }

  /**
   * Blocks until the thread is interrupted: a frozen peer that accepted a connection and never
   * answers. The thread's owner ends it by interrupting it (or closing its executor).
   */
  public static void forever(String why) throws InterruptedException {
    Objects.requireNonNull(why, "why");
    Thread.sleep(Long.MAX_VALUE);
  }
}
