package io.lvspulse.monitor;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One real server's admin state and how it combines with its health: the one place the rule lives
 * (the director's desired table, the weight metric and /status all ask it).
 *
 * <ul>
 *   <li>{@link AdminState#ENABLED}: the health rules alone (in IPVS when UP or quiesced, at the
 *       health weight);
 *   <li>{@link AdminState#DRAIN}: where the health rules put it, at weight 0 (existing clients
 *       finish, no new one comes);
 *   <li>{@link AdminState#MAINTENANCE}: weight 0 while it drains, then out of IPVS ({@link
 *       #drainedAt}); a server in maintenance is never added to IPVS.
 * </ul>
 *
 * @param state the admin state
 * @param since when it was set (start of the run for a server never changed)
 * @param by who set it, e.g. {@code socket uid 0 (root)}, {@code http 127.0.0.1}, {@code partner
 *     10.0.0.2}; empty for the default
 * @param drainedAt maintenance only: when the server was found drained and left IPVS
 */
public record Admin(AdminState state, Instant since, String by, Optional<Instant> drainedAt) {

  public Admin {
    Objects.requireNonNull(state);
    Objects.requireNonNull(since);
    Objects.requireNonNull(by);
    if (state != AdminState.MAINTENANCE && drainedAt.isPresent()) {
      throw new IllegalArgumentException("only maintenance is drained: " + state);
    }
  }

  /** The default: enabled since {@code since}. */
  public static Admin enabled(Instant since) {
    return new Admin(AdminState.ENABLED, since, "", Optional.empty());
  }

  /** This server moved to {@code next} at {@code now}; the same state keeps this one unchanged. */
  public Admin to(AdminState next, Instant now, String who) {
    if (next == state) {
      return this;
    }
    return new Admin(next, now, who, Optional.empty());
  }

  /** A maintenance server found drained at {@code at} (any other state is returned unchanged). */
  public Admin drained(Instant at) {
    if (!awaitingDrain()) {
      return this;
    }
    return new Admin(state, since, by, Optional.of(at));
  }

  /** What this state does, in the words of the log and the CLI's reply. */
  public String action() {
    return switch (state) {
      case ENABLED -> "back to the health rules";
      case DRAIN -> "weight 0, existing clients finish";
      case MAINTENANCE ->
          drainedAt.isPresent()
              ? "out of IPVS, probes go on"
              : "weight 0 until drained, then out of IPVS; probes go on";
    };
  }

  /** In maintenance and still in IPVS at weight 0, waiting for its connections to end. */
  public boolean awaitingDrain() {
    return state == AdminState.MAINTENANCE && drainedAt.isEmpty();
  }

  /** Whether the server may get new clients: only when enabled. */
  public boolean takesNewClients() {
    return state == AdminState.ENABLED;
  }

  /** Whether the server belongs in IPVS, given whether the health rules put it there. */
  public boolean inIpvs(boolean byHealth) {
    return byHealth && drainedAt.isEmpty();
  }

  /** The IPVS weight, given the health rules' weight: 0 unless enabled. */
  public int weight(int byHealth) {
    return state == AdminState.ENABLED ? byHealth : 0;
  }
}
