package io.lvspulse.monitor;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One real server's health and IPVS weight, driven by probe results and clock ticks.
 *
 * <p>Rules (Piranha's nanny, docs/reference/piranha-behaviour.md §2.2 and §2.5, without its bugs):
 *
 * <ul>
 *   <li>A server starts {@link Health#UNKNOWN} and out of IPVS; its first successful probe adds it
 *       at once (nanny starts its success count at the threshold).
 *   <li>{@code fall} consecutive failures (Piranha: 1) take an UP server out: deleted, or weight 0
 *       when quiescing and it was added before.
 *   <li>A DOWN server comes back after {@code rise} consecutive successes.
 *   <li>On (re)entry the weight starts at {@code max(1, weight >> 5)} and doubles every step up to
 *       the configured weight (unless slow start is off).
 * </ul>
 *
 * <p>Not thread-safe: owned by the controller thread. Time is passed in, never read.
 */
public final class ServerStateMachine {
  private HealthPolicy policy;
  private Health health = Health.UNKNOWN;
  private Instant since;
  private int successes;
  private int failures;
  private boolean everAdded;
  private int currentWeight;
  private Instant nextRampAt = Instant.MAX;

  public ServerStateMachine(HealthPolicy policy, Instant now) {
    this.policy = Objects.requireNonNull(policy);
    this.since = now;
  }

  /** Applies one probe result; returns the health transition it caused, if any. */
  public Optional<Transition> onProbe(boolean success, String reason, Instant now) {
    if (success) {
      successes = saturatingIncrement(successes);
      failures = 0;
      if (health == Health.UNKNOWN || (health == Health.DOWN && successes >= policy.rise())) {
        Health from = health;
        enter(now);
        return Optional.of(move(from, Health.UP, reason, now));
      }
      onTick(now);
      return Optional.empty();
    }
    failures = saturatingIncrement(failures);
    successes = 0;
    if (health == Health.UP && failures >= policy.fall()) {
      leave();
      return Optional.of(move(Health.UP, Health.DOWN, reason, now));
    }
    if (health == Health.UNKNOWN && failures >= policy.fall()) {
      // Never added: it stays out of IPVS, but is now known to be down.
      return Optional.of(move(Health.UNKNOWN, Health.DOWN, reason, now));
    }
    return Optional.empty();
  }

  /** Advances the slow-start ramp; returns true when the IPVS weight changed. */
  public boolean onTick(Instant now) {
    if (health != Health.UP || currentWeight >= policy.weight() || now.isBefore(nextRampAt)) {
      return false;
    }
    currentWeight = Math.min(policy.weight(), Math.max(1, currentWeight * 2));
    nextRampAt =
        currentWeight >= policy.weight() ? Instant.MAX : nextRampAt.plus(policy.slowStartStep());
    if (nextRampAt.isBefore(now)) {
      // A long pause (suspended JVM, slow probes): continue from now rather than jumping steps.
      nextRampAt = now.plus(policy.slowStartStep());
    }
    return true;
  }

  /**
   * Replaces the policy after a reload, keeping the health. An UP server whose configured weight
   * changed moves to the new weight (ramping up from its current weight when slow start is on).
   */
  public void reconfigure(HealthPolicy newPolicy, Instant now) {
    HealthPolicy old = this.policy;
    this.policy = Objects.requireNonNull(newPolicy);
    if (health != Health.UP || old.weight() == newPolicy.weight()) {
      return;
    }
    if (currentWeight > newPolicy.weight() || !newPolicy.slowStart()) {
      currentWeight = newPolicy.weight();
      nextRampAt = Instant.MAX;
    } else if (nextRampAt.equals(Instant.MAX)) {
      nextRampAt = now.plus(newPolicy.slowStartStep());
    }
  }

  private void enter(Instant now) {
    health = Health.UP;
    everAdded = true;
    currentWeight = policy.entryWeight();
    nextRampAt = currentWeight >= policy.weight() ? Instant.MAX : now.plus(policy.slowStartStep());
  }

  private void leave() {
    health = Health.DOWN;
    currentWeight = 0;
    nextRampAt = Instant.MAX;
  }

  private Transition move(Health from, Health to, String reason, Instant now) {
    health = to;
    since = now;
    return new Transition(from, to, reason, now);
  }

  private static int saturatingIncrement(int n) {
    return n == Integer.MAX_VALUE ? n : n + 1;
  }

  public Health health() {
    return health;
  }

  public Instant since() {
    return since;
  }

  public HealthPolicy policy() {
    return policy;
  }

  /** Whether the server belongs in the IPVS table now (UP, or quiesced at weight 0). */
  public boolean inIpvs() {
    return health == Health.UP || (health == Health.DOWN && policy.quiesce() && everAdded);
  }

  /** The weight the server should have in IPVS (0 when quiesced; meaningless when not in IPVS). */
  public int ipvsWeight() {
    return health == Health.UP ? currentWeight : 0;
  }

  public int consecutiveSuccesses() {
    return successes;
  }

  public int consecutiveFailures() {
    return failures;
  }

  public boolean everAdded() {
    return everAdded;
  }
}
