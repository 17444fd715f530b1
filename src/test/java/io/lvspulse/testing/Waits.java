package io.lvspulse.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.awaitility.core.ThrowingRunnable;

/**
 * Waiting for a condition in the ITs, on Awaitility: a process that answers, a table that shows a
 * server, an alert that fires. The condition may throw an {@link AssertionError} to fail at once
 * (the daemon died); a timeout is an {@link AssertionError} with the caller's account of the last
 * state (its logs, the last table). Returns how long the wait took, which several ITs record.
 */
public final class Waits {
  private Waits() {}

  /**
   * Polls {@code condition} every {@code poll}, first at once, until it is true; fails after {@code
   * max} with {@code onTimeout}'s text.
   *
   * @return the milliseconds from the call until the condition held
   */
  public static long until(
      String what,
      Duration max,
      Duration poll,
      Callable<Boolean> condition,
      Callable<String> onTimeout) {
    long t0 = System.nanoTime();
    try {
      Awaitility.await(what)
          .pollInSameThread()
          .pollDelay(Duration.ZERO)
          .pollInterval(poll)
          .atMost(max)
          .until(condition);
    } catch (ConditionTimeoutException e) {
      String account;
      try {
        account = onTimeout.call();
      } catch (Exception f) {
        account = what + " did not happen within " + max + " (and describing it failed: " + f + ")";
      }
      throw new AssertionError(account, e);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * Checks that {@code check} holds at every poll, first at once, for the whole {@code window}: the
   * first poll that fails it fails the test with its assertion. Proves that nothing happens (no
   * takeover, no alert, no withdrawn route) over a stretch of time, without a bare sleep.
   */
  public static void holds(String what, Duration window, Duration poll, ThrowingRunnable check) {
    long end = System.nanoTime() + window.toNanos();
    try {
      Awaitility.await(what)
          .pollInSameThread()
          .pollDelay(Duration.ZERO)
          .pollInterval(poll)
          .atMost(window.plusSeconds(60)) // the window is the condition: this bounds slow checks
          .failFast(what, check)
          .until(() -> System.nanoTime() - end >= 0);
      check.run(); // and at its end
    } catch (TerminalFailureException e) {
      throw e.getCause() instanceof AssertionError a ? a : new AssertionError(what, e);
    } catch (AssertionError | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(what, t);
    }
  }
}
