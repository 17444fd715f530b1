package io.lvspulse.failover;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Objects;

/**
 * Piranha pulse's heartbeat, byte for byte (docs/reference/piranha-behaviour.md §3.1): the payload
 * is exactly 4 bytes, an {@code unsigned int} magic number in the sender's <em>host</em> byte
 * order. On x86 (little-endian) RUNNING {@code 0xbdaddbda} goes on the wire as {@code da db ad bd}.
 *
 * <p>Only the two LVS magics are accepted. The FOS magics are rejected as "incompatible heartbeat"
 * (as pulse does), and so is an LVS magic in the other byte order (a partner of the other
 * endianness, which pulse cannot talk to either). There is no authentication in this format.
 */
public final class PlainHeartbeatCodec implements HeartbeatCodec {
  /** pulse's LVS "this node is active". */
  public static final int RUNNING = 0xbdaddbda;

  /** pulse's LVS "this node is inactive". */
  public static final int STOPPED = 0xadbddabd;

  /** pulse's FOS magics (and HOLD/HELD): recognised only to say "incompatible". */
  public static final int FOS_RUNNING = 0xbeefbabe;

  public static final int FOS_STOPPED = 0xdeadbeef;
  public static final int FOS_STOPME = 0xdeaddada;
  public static final int HOLD = 0xdeafbabe;
  public static final int HELD = 0xdeafdada;

  /** Payload length. */
  public static final int LENGTH = 4;

  private final ByteOrder order;

  /** The codec for this host: {@link ByteOrder#nativeOrder()}, as pulse. */
  public PlainHeartbeatCodec() {
    this(ByteOrder.nativeOrder());
  }

  /** A codec for a host of byte order {@code order} (tests of the wire layout). */
  public PlainHeartbeatCodec(ByteOrder order) {
    this.order = Objects.requireNonNull(order);
  }

  @Override
  public byte[] encode(Heartbeat heartbeat) {
    return encode(heartbeat.state());
  }

  @Override
  public byte[] encode(HeartbeatState state) {
    int magic = state == HeartbeatState.RUNNING ? RUNNING : STOPPED;
    return ByteBuffer.allocate(LENGTH).order(order).putInt(magic).array();
  }

  @Override
  public Decoded decode(byte[] data, int length) {
    if (length != LENGTH) {
      return new Rejected(RxResult.BAD_LENGTH, "heartbeat of " + length + " bytes, expected 4");
    }
    int magic = ByteBuffer.wrap(data, 0, LENGTH).order(order).getInt();
    if (magic == RUNNING) {
      return new Accepted(HeartbeatState.RUNNING);
    }
    if (magic == STOPPED) {
      return new Accepted(HeartbeatState.STOPPED);
    }
    String hex = String.format(Locale.ROOT, "0x%08x", magic);
    if (magic == FOS_RUNNING
        || magic == FOS_STOPPED
        || magic == FOS_STOPME
        || magic == HOLD
        || magic == HELD) {
      return new Rejected(
          RxResult.BAD_MAGIC, "incompatible heartbeat " + hex + " (a Piranha FOS node)");
    }
    int swapped = Integer.reverseBytes(magic);
    if (swapped == RUNNING || swapped == STOPPED) {
      return new Rejected(
          RxResult.BAD_MAGIC,
          "incompatible heartbeat "
              + hex
              + " (an LVS magic in the other byte order: the partner's endianness differs)");
    }
    return new Rejected(RxResult.BAD_MAGIC, "incompatible heartbeat " + hex);
  }

  /**
   * Recognises a Piranha LVS payload in this byte order (for a clear message in authenticated
   * mode).
   */
  boolean isPlainLvs(byte[] data, int length) {
    return decode(data, length) instanceof Accepted;
  }

  @Override
  public boolean authenticated() {
    return false;
  }
}
