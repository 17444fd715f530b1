package io.lvspulse.failover;

/**
 * Turns a heartbeat state into a datagram payload and checks received payloads. Two formats:
 * Piranha's plain 4-byte magic ({@link PlainHeartbeatCodec}) and lvs-pulse's HMAC-authenticated one
 * ({@link AuthenticatedHeartbeatCodec}). The source address is checked by {@link
 * HeartbeatEndpoint}, not here.
 */
public sealed interface HeartbeatCodec permits PlainHeartbeatCodec, AuthenticatedHeartbeatCodec {

  /** The payload announcing {@code state}. */
  byte[] encode(HeartbeatState state);

  /** Checks the first {@code length} bytes of {@code data}. */
  Decoded decode(byte[] data, int length);

  /** True for the authenticated format. */
  boolean authenticated();

  /** The verdict on one payload. */
  sealed interface Decoded permits Accepted, Rejected {}

  /** A valid heartbeat saying {@code state}. */
  record Accepted(HeartbeatState state) implements Decoded {}

  /** A rejected payload: why ({@code result}, never {@link RxResult#OK}) and a line for the log. */
  record Rejected(RxResult result, String detail) implements Decoded {
    public Rejected {
      if (result == RxResult.OK) {
        throw new IllegalArgumentException("a rejection cannot be OK");
      }
    }
  }
}
