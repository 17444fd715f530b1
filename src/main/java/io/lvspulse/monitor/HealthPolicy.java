package io.lvspulse.monitor;

import java.time.Duration;

/**
 * The rules one real server's state machine follows.
 *
 * @param rise consecutive successes that bring a DOWN server back (Piranha: {@code max(1,
 *     floor(reentry/timeout))}); the very first success after start adds a server at once
 * @param fall consecutive failures that take an UP server out (Piranha: 1)
 * @param weight the configured IPVS weight
 * @param quiesce on failure keep the server in IPVS at weight 0 instead of deleting it (once it has
 *     been added at least once), as {@code quiesce_server = 1} does
 * @param slowStart after (re)entry start at {@code max(1, weight >> 5)} and double every {@code
 *     slowStartStep} up to {@code weight}, as nanny does; false = full weight at once
 * @param slowStartStep the interval between ramp doublings (nanny: about 20 s)
 */
public record HealthPolicy(
    int rise, int fall, int weight, boolean quiesce, boolean slowStart, Duration slowStartStep) {

  /** nanny's ramp step. */
  public static final Duration NANNY_RAMP_STEP = Duration.ofSeconds(20);

  public HealthPolicy {
    if (rise < 1) {
      throw new IllegalArgumentException("rise must be >= 1: " + rise);
    }
    if (fall < 1) {
      throw new IllegalArgumentException("fall must be >= 1: " + fall);
    }
    if (weight < 0) {
      throw new IllegalArgumentException("weight must be >= 0: " + weight);
    }
    if (slowStartStep.isNegative() || slowStartStep.isZero()) {
      throw new IllegalArgumentException("slowStartStep must be positive: " + slowStartStep);
    }
  }

  /**
   * Piranha's rules: fall after one failure, rise after {@code rise} successes, nanny's ramp step.
   */
  public static HealthPolicy piranha(int rise, int weight, boolean quiesce, boolean slowStart) {
    return new HealthPolicy(Math.max(1, rise), 1, weight, quiesce, slowStart, NANNY_RAMP_STEP);
  }

  /** The weight a server gets when it (re)enters IPVS. */
  public int entryWeight() {
    if (!slowStart || weight == 0) {
      return weight;
    }
    return Math.max(1, weight >> 5);
  }
}
