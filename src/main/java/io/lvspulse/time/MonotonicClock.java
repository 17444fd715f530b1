package io.lvspulse.time;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * An {@link InstantSource} for intervals and deadlines: the wall-clock instant read once at
 * creation (the anchor), plus the time elapsed since then on a monotonic clock ({@link
 * System#nanoTime} in production, a counter in tests). A step of the wall clock (NTP, an operator,
 * a VM restored from a snapshot) does not move it, so a deadline computed from it is neither
 * brought forward nor pushed back: the failover deadtime, slow-start ramps and drain deadlines use
 * it.
 *
 * <p>The instants it returns are meant for comparisons and durations. Shown to an operator they are
 * "the wall time at start plus the time elapsed since", which drifts from the wall clock by the sum
 * of the steps since the daemon started.
 *
 * <p>Thread-safe.
 */
public final class MonotonicClock implements InstantSource {
  private final LongSupplier nanoTime;
  private final long anchorNanos;
  private final Instant anchor;

  /**
   * @param nanoTime a monotonic nanosecond counter ({@code System::nanoTime})
   * @param anchor the instant that the counter's current value stands for
   */
  public MonotonicClock(LongSupplier nanoTime, Instant anchor) {
    this.nanoTime = Objects.requireNonNull(nanoTime);
    this.anchor = Objects.requireNonNull(anchor);
    this.anchorNanos = nanoTime.getAsLong();
  }

  /** {@link System#nanoTime} anchored at the wall clock's current instant. */
  public static MonotonicClock system() {
    return new MonotonicClock(System::nanoTime, Instant.now());
  }

  @Override
  public Instant instant() {
    // nanoTime differences are valid across its wrap-around; the difference is non-negative.
    return anchor.plusNanos(nanoTime.getAsLong() - anchorNanos);
  }

  @Override
  public String toString() {
    return "MonotonicClock[anchor " + anchor + "]";
  }
}
