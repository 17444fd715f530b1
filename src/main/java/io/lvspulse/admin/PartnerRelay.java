package io.lvspulse.admin;

import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.ServerId;

/** Tells the partner director of an admin change made here, so both directors agree. */
@FunctionalInterface
public interface PartnerRelay {

  /** What became of one relayed change. */
  enum Outcome {
    /** A standalone director: there is no partner. */
    NO_PARTNER,
    /** Heartbeats are not authenticated ({@code heartbeat_key_file} unset): nothing is sent. */
    NOT_AUTHENTICATED,
    /** An ECMP director: every director is active and decides alone. */
    EVERY_DIRECTOR,
    /** The partner acknowledged the change. */
    CONFIRMED,
    /** Sent, but the partner did not acknowledge it in time (down, unreachable, another key). */
    UNCONFIRMED;

    /** What the operator should know, one sentence. */
    public String advice() {
      return switch (this) {
        case NO_PARTNER -> "standalone director: no partner to tell";
        case EVERY_DIRECTOR ->
            "ECMP: the other directors were NOT told: run the same command on each of them";
        case NOT_AUTHENTICATED ->
            "the partner director was NOT told (no heartbeat_key_file, so no authenticated"
                + " channel): run the same command on the other director too";
        case CONFIRMED -> "the partner director applied it too";
        case UNCONFIRMED ->
            "the partner director did NOT confirm it (down or unreachable?): run the same command"
                + " on the other director too";
      };
    }

    /** {@code no_partner}, {@code not_authenticated}, {@code confirmed}, {@code unconfirmed}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** No partner: every change stays on this director. */
  PartnerRelay NONE = (id, state) -> Outcome.NO_PARTNER;

  /** Sends the change and waits (briefly) for the partner's acknowledgement. */
  Outcome relay(ServerId id, AdminState state);
}
