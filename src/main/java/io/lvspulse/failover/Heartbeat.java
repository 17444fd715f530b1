package io.lvspulse.failover;

import java.util.Objects;
import java.util.Optional;

/**
 * What one heartbeat says: the sender's state and, in the authenticated format, its health.
 *
 * @param state RUNNING (active) or STOPPED (inactive)
 * @param reportsHealth whether the format carried the sender's health (authenticated: yes; pulse's
 *     4-byte format: no)
 * @param problem the sender's local problem (why it must not be active), when it reports one
 */
public record Heartbeat(HeartbeatState state, boolean reportsHealth, Optional<String> problem)
    implements HeartbeatCodec.Message {

  /** The longest problem text carried on the wire, in UTF-8 bytes (longer ones are cut). */
  public static final int MAX_PROBLEM_BYTES = 120;

  public Heartbeat {
    Objects.requireNonNull(state);
    Objects.requireNonNull(problem);
    if (problem.isPresent() && !reportsHealth) {
      throw new IllegalArgumentException("a problem is reported only with reportsHealth");
    }
  }

  /** A heartbeat of a format that cannot say the sender's health (pulse's). */
  public static Heartbeat plain(HeartbeatState state) {
    return new Heartbeat(state, false, Optional.empty());
  }

  /** A heartbeat of a healthy sender. */
  public static Heartbeat healthy(HeartbeatState state) {
    return new Heartbeat(state, true, Optional.empty());
  }

  /** A heartbeat of a sender that reports {@code problem} (present) or none (empty). */
  public static Heartbeat reporting(HeartbeatState state, Optional<String> problem) {
    return new Heartbeat(state, true, problem);
  }
}
