package io.lvspulse.failover;

/**
 * Turns a message into a datagram payload and checks received payloads. Two formats: Piranha's
 * plain 4-byte magic ({@link PlainHeartbeatCodec}), which carries only a {@link HeartbeatState},
 * and lvs-pulse's HMAC-authenticated one ({@link AuthenticatedHeartbeatCodec}), which carries
 * {@link Message}s of several kinds (the heartbeat with the sender's health first; a new kind is a
 * new {@link Message} record, see docs/failover.md "Adding a message kind") behind one replay
 * protection. The source address is checked by {@link HeartbeatEndpoint}, not here.
 */
public sealed interface HeartbeatCodec permits PlainHeartbeatCodec, AuthenticatedHeartbeatCodec {

  /** The payload carrying {@code heartbeat} (the plain format keeps only its state). */
  byte[] encode(Heartbeat heartbeat);

  /** The payload announcing {@code state}, healthy. */
  default byte[] encode(HeartbeatState state) {
    return encode(authenticated() ? Heartbeat.healthy(state) : Heartbeat.plain(state));
  }

  /** Checks the first {@code length} bytes of {@code data}. */
  Decoded decode(byte[] data, int length);

  /** True for the authenticated format. */
  boolean authenticated();

  /**
   * A message between the two directors; the receive path dispatches on its type. {@link Heartbeat}
   * is the only kind so far; {@link Unknown} is a kind this version does not know (a newer
   * partner's), authenticated and in sequence but ignored.
   */
  sealed interface Message permits Heartbeat, Unknown {}

  /** An authenticated message of a kind this version does not know. */
  record Unknown(int kind, int bodyLength) implements Message {}

  /** The verdict on one payload. */
  sealed interface Decoded permits Accepted, Rejected {}

  /**
   * A valid message.
   *
   * @param message what it says
   * @param newSession authenticated format: the first message accepted from a new run of the
   *     partner (it restarted, or this is the first contact): answer at once so the partner accepts
   *     us too without waiting for the next keepalive
   */
  record Accepted(Message message, boolean newSession) implements Decoded {
    /** A valid heartbeat of a format without health (tests and the plain codec). */
    public Accepted(HeartbeatState state) {
      this(Heartbeat.plain(state), false);
    }

    /** The heartbeat's state (throws for another kind). */
    public HeartbeatState state() {
      if (message instanceof Heartbeat h) {
        return h.state();
      }
      throw new IllegalStateException("not a heartbeat: " + message);
    }
  }

  /** A rejected payload: why ({@code result}, never {@link RxResult#OK}) and a line for the log. */
  record Rejected(RxResult result, String detail) implements Decoded {
    public Rejected {
      if (result == RxResult.OK) {
        throw new IllegalArgumentException("a rejection cannot be OK");
      }
    }
  }
}
