package io.lvspulse.probe;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one probe.
 *
 * @param success whether the server is considered healthy by this probe
 * @param message a one-line human text (for TFTP probes: {@code check_tftp}'s words, such as {@code
 *     OK - answer from server}); for program-compatible checks this is what {@code expect} is
 *     matched against
 * @param elapsed time from the start of the probe to its result (the round-trip time on success)
 * @param cause why it failed; empty exactly when {@code success}
 */
public record ProbeResult(
    boolean success, String message, Duration elapsed, Optional<FailureCause> cause) {

  /** What a result says about the server. */
  public enum Outcome {
    /** The server answered as it should. */
    SUCCESS,
    /** The server failed the check: evidence that it is down. */
    FAILURE,
    /**
     * The check could not be made because of a fault of this director ({@link
     * FailureCause#LOCAL_ERROR}): no evidence about the server either way.
     */
    LOCAL_ERROR
  }

  public ProbeResult {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(cause, "cause");
    if (success == cause.isPresent()) {
      throw new IllegalArgumentException("a successful result has no cause, a failure has one");
    }
    if (elapsed.isNegative()) {
      throw new IllegalArgumentException("negative elapsed time: " + elapsed);
    }
  }

  /** A success. */
  public static ProbeResult ok(String message, Duration elapsed) {
    return new ProbeResult(true, message, elapsed, Optional.empty());
  }

  /** A failure with its cause. */
  public static ProbeResult failure(FailureCause cause, String message, Duration elapsed) {
    return new ProbeResult(false, message, elapsed, Optional.of(cause));
  }

  /**
   * A fault of this director that kept the probe from checking the server ({@link
   * FailureCause#LOCAL_ERROR}).
   */
  public static ProbeResult localError(String message, Duration elapsed) {
    return failure(FailureCause.LOCAL_ERROR, message, elapsed);
  }

  /**
   * {@link #localError} when {@code e} is a {@linkplain LocalErrors#isLocal local fault}, else a
   * failure with {@code cause}.
   */
  public static ProbeResult failure(
      FailureCause cause, Throwable e, String message, Duration elapsed) {
    return LocalErrors.isLocal(e) ? localError(message, elapsed) : failure(cause, message, elapsed);
  }

  /** What this result says about the server. */
  public Outcome outcome() {
    if (success) {
      return Outcome.SUCCESS;
    }
    return cause.orElseThrow() == FailureCause.LOCAL_ERROR ? Outcome.LOCAL_ERROR : Outcome.FAILURE;
  }

  /** True when the probe gave up because no acceptable answer came in time. */
  public boolean timedOut() {
    return cause.filter(c -> c == FailureCause.TIMEOUT).isPresent();
  }
}
