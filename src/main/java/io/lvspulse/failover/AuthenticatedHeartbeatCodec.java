package io.lvspulse.failover;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * lvs-pulse's authenticated heartbeat (used when {@code heartbeat_key_file} is set; both directors
 * must run lvs-pulse with the same key). 48 bytes, all integers big-endian (network order):
 *
 * <pre>
 * offset size field
 *  0      4   magic "LVSP" (0x4c565350)
 *  4      1   version = 1
 *  5      1   sender role: 1 = primary, 2 = backup
 *  6      1   state: 1 = RUNNING, 2 = STOPPED
 *  7      1   reserved, 0
 *  8      8   sequence number, unsigned: (sender's start time in Unix ms) &lt;&lt; 20, plus 1 per packet
 * 16     32   HMAC-SHA256(key, bytes 0..15)
 * </pre>
 *
 * <p>The receiver accepts a packet only if its length, magic and version are right, the MAC
 * verifies (constant-time compare), the role is the partner's (our own packets reflected back are
 * rejected) and the sequence number is strictly greater than the last one it accepted. Because the
 * sequence starts at the sender's start time shifted left by 20 bits, a restarted sender continues
 * above its old numbers (unless it sent more than 2^20 packets per millisecond of downtime), so no
 * state has to be stored on disk. A receiver that restarts forgets the last number: until the
 * partner's next genuine packet, a replay of one captured from the partner's current run could be
 * accepted once; after it, every older number is rejected.
 *
 * <p>Thread-safe.
 */
public final class AuthenticatedHeartbeatCodec implements HeartbeatCodec {
  public static final int MAGIC = 0x4c565350;
  public static final int VERSION = 1;
  public static final int LENGTH = 48;
  static final int SIGNED_LENGTH = 16;
  private static final int SEQUENCE_SHIFT = 20;

  private final Role ownRole;
  private final Mac mac;
  private final PlainHeartbeatCodec plain = new PlainHeartbeatCodec();

  // encode runs on the scheduler and actions threads, decode on the receive thread.
  @GuardedBy("this")
  private long nextSequence;

  @GuardedBy("this")
  private boolean anyAccepted;

  @GuardedBy("this")
  private long lastAccepted;

  /**
   * @param ownRole the sender role written into our packets; received packets must carry the other
   * @param key the shared key
   * @param clock the sequence numbers start at {@code clock.millis() << 20}
   */
  public AuthenticatedHeartbeatCodec(Role ownRole, HeartbeatKey key, InstantSource clock) {
    this.ownRole = ownRole;
    try {
      this.mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
    this.nextSequence = clock.millis() << SEQUENCE_SHIFT;
  }

  @Override
  public synchronized byte[] encode(HeartbeatState state) {
    return encode(ownRole, state, nextSequence++);
  }

  /** A packet with explicit fields (tests build forged and replayed packets with it). */
  synchronized byte[] encode(Role role, HeartbeatState state, long sequence) {
    ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.BIG_ENDIAN);
    b.putInt(MAGIC).put((byte) VERSION).put(roleByte(role)).put(stateByte(state)).put((byte) 0);
    b.putLong(sequence);
    mac.update(b.array(), 0, SIGNED_LENGTH);
    b.put(mac.doFinal());
    return b.array();
  }

  @Override
  public synchronized Decoded decode(byte[] data, int length) {
    if (length != LENGTH) {
      if (plain.isPlainLvs(data, length)) {
        return new Rejected(
            RxResult.BAD_MAC,
            "unauthenticated Piranha heartbeat while heartbeat_key_file is set (is the partner still pulse?)");
      }
      return new Rejected(
          RxResult.BAD_LENGTH, "heartbeat of " + length + " bytes, expected " + LENGTH);
    }
    ByteBuffer b = ByteBuffer.wrap(data, 0, LENGTH).order(ByteOrder.BIG_ENDIAN);
    int magic = b.getInt();
    if (magic != MAGIC) {
      return new Rejected(
          RxResult.BAD_MAGIC, String.format(Locale.ROOT, "incompatible heartbeat 0x%08x", magic));
    }
    int version = b.get() & 0xff;
    if (version != VERSION) {
      return new Rejected(
          RxResult.BAD_MAGIC,
          "authenticated heartbeat version " + version + ", expected " + VERSION);
    }
    mac.update(data, 0, SIGNED_LENGTH);
    byte[] expected = mac.doFinal();
    byte[] got = Arrays.copyOfRange(data, SIGNED_LENGTH, LENGTH);
    if (!MessageDigest.isEqual(expected, got)) {
      return new Rejected(
          RxResult.BAD_MAC, "heartbeat with a bad HMAC (forged, or the keys differ)");
    }
    int role = b.get() & 0xff;
    int state = b.get() & 0xff;
    b.get();
    long seq = b.getLong();
    if (role != (roleByte(ownRole.partner()) & 0xff)) {
      return new Rejected(
          RxResult.WRONG_SOURCE,
          "authenticated heartbeat claims role " + role + ", not the partner's (reflected?)");
    }
    if (state != 1 && state != 2) {
      return new Rejected(
          RxResult.BAD_MAGIC, "authenticated heartbeat with unknown state " + state);
    }
    if (anyAccepted && Long.compareUnsigned(seq, lastAccepted) <= 0) {
      return new Rejected(
          RxResult.REPLAY,
          "replayed or reordered heartbeat: sequence "
              + Long.toUnsignedString(seq)
              + " not above "
              + Long.toUnsignedString(lastAccepted));
    }
    anyAccepted = true;
    lastAccepted = seq;
    return new Accepted(state == 1 ? HeartbeatState.RUNNING : HeartbeatState.STOPPED);
  }

  @Override
  public boolean authenticated() {
    return true;
  }

  private static byte roleByte(Role r) {
    return (byte) (r == Role.PRIMARY ? 1 : 2);
  }

  private static byte stateByte(HeartbeatState s) {
    return (byte) (s == HeartbeatState.RUNNING ? 1 : 2);
  }
}
