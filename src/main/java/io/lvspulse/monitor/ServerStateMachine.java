package io.lvspulse.monitor;

import io.lvspulse.probe.ProbeResult;
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
 *   <li>A server {@linkplain #adopt adopted} from the kernel's table at start (lvs-pulse restarted)
 *       stays in IPVS at the kernel's weight until its first probe: success makes it UP without
 *       slow start from scratch (at full weight it stays there; below, the ramp continues from the
 *       kernel's weight), failure takes it out as for any UP server.
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
  private boolean adopted;
  private int adoptedWeight;
  private int currentWeight;
  private Instant nextRampAt = Instant.MAX;

  public ServerStateMachine(HealthPolicy policy, Instant now) {
    this.policy = Objects.requireNonNull(policy);
    this.since = now;
  }

  /**
   * The server is already in the kernel's table at {@code kernelWeight} (found there at start): it
   * keeps that weight until its first probe decides. Only before the first probe.
   */
  public void adopt(int kernelWeight) {
    if (health != Health.UNKNOWN || successes + failures > 0) {
      return;
    }
    adopted = true;
    adoptedWeight = Math.max(0, kernelWeight);
    everAdded = true;
  }

  /** Whether the server was adopted from the kernel and has not been probed since. */
  public boolean adopted() {
    return adopted && health == Health.UNKNOWN;
  }

  /**
   * Applies one probe outcome. A {@link ProbeResult.Outcome#LOCAL_ERROR} (a fault of this director:
   * no descriptors, buffers or memory) is no evidence about the server: nothing changes, not even
   * the counts of consecutive successes and failures.
   */
  public Optional<Transition> onProbe(ProbeResult.Outcome outcome, String reason, Instant now) {
    return switch (outcome) {
      case SUCCESS -> onProbe(true, reason, now);
      case FAILURE -> onProbe(false, reason, now);
      case LOCAL_ERROR -> Optional.empty();
    };
  }

  /** Applies one probe result; returns the health transition it caused, if any. */
  public Optional<Transition> onProbe(boolean success, String reason, Instant now) {
    if (success) {
      successes = saturatingIncrement(successes);
      failures = 0;
      if (health == Health.UNKNOWN || (health == Health.DOWN && successes >= policy.rise())) {
        Health from = health;
        enter(now);
        if (adopted && adoptedWeight > currentWeight) {
          // a restart: no slow start from scratch for a server the kernel already weighs
          currentWeight = Math.min(policy.weight(), adoptedWeight);
          nextRampAt =
              currentWeight >= policy.weight() ? Instant.MAX : now.plus(policy.slowStartStep());
        }
        adopted = false;
        return Optional.of(move(from, Health.UP, reason, now));
      }
      onTick(now);
      return Optional.empty();
    }
    failures = saturatingIncrement(failures);
    successes = 0;
    boolean wasAdopted = adopted;
    adopted = false;
    if (health == Health.UP && failures >= policy.fall()) {
      leave();
      return Optional.of(move(Health.UP, Health.DOWN, reason, now));
    }
    if (health == Health.UNKNOWN && failures >= policy.fall()) {
      // Never added (out of IPVS), or adopted from the kernel: quiesced or removed like an UP one.
      currentWeight = 0;
      return Optional.of(move(Health.UNKNOWN, Health.DOWN, reason, now));
    }
    if (wasAdopted && health == Health.UNKNOWN) {
      adopted = true; // fall > 1: still undecided, keep the kernel's weight
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
    return health == Health.UP
        || (health == Health.DOWN && policy.quiesce() && everAdded)
        || adopted();
  }

  /** The weight the server should have in IPVS (0 when quiesced; meaningless when not in IPVS). */
  public int ipvsWeight() {
    if (adopted()) {
      return adoptedWeight;
    }
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
