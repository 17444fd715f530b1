package io.lvspulse.failover;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The admin relay: a small authenticated datagram that carries an operator's admin change (drain,
 * maintenance, enable of one real server) from one director to its partner, and the partner's
 * acknowledgement. It travels on the heartbeat socket and port, with the heartbeat's key ({@code
 * heartbeat_key_file}), but is its own message with its own magic, sequence numbers and replay
 * window, so it changes nothing of the heartbeat format (a Piranha pulse partner never gets one:
 * the relay needs the key). All integers big-endian:
 *
 * <pre>
 * offset size field
 *  0      4   magic "LVSA" (0x4c565341)
 *  4      1   version = 1
 *  5      1   type: 1 = change, 2 = acknowledgement
 *  6      1   sender role: 1 = primary, 2 = backup
 *  7      1   admin state (change): 1 = enabled, 2 = drain, 3 = maintenance; 0 in an ack
 *  8      8   epoch: random, drawn once per run of the sender
 * 16      8   sequence: 1, 2, ... within the epoch (an ack: the acknowledged change's)
 * 24      8   the sender's wall clock, Unix ms
 * 32      2   port of the real server
 * 34      1   address length, 4 or 16
 * 35      n   the real server's address
 * 35+n    2   length m of the virtual service's name (at most 255 bytes of UTF-8)
 * 37+n    m   the virtual service's name
 * end    32   HMAC-SHA256(key, every byte before)
 * </pre>
 *
 * <p>A change is accepted only when its length, magic and version are right, the MAC verifies
 * (constant-time), the role is the partner's (our own datagrams reflected back are rejected), its
 * clock is within {@link #FRESHNESS} of ours (directors run NTP; a skewed clock is reported as
 * such), and its (epoch, sequence) was not accepted within the freshness window. A captured change
 * can therefore not be replayed later, and a retransmission of an accepted change is recognised as
 * a duplicate: it is acknowledged again but not applied twice.
 *
 * <p>Thread-safe.
 */
public final class AdminRelayCodec {
  public static final int MAGIC = 0x4c565341;
  public static final int VERSION = 1;
  static final int MAC_LENGTH = 32;
  static final int HEADER = 35;

  /** How far the sender's clock may be from ours, and how long accepted changes are remembered. */
  public static final Duration FRESHNESS = Duration.ofSeconds(60);

  private static final int MAX_NAME = 255;

  private final Role ownRole;
  private final InstantSource clock;
  private final long epoch;

  @GuardedBy("this")
  private final Mac mac;

  @GuardedBy("this")
  private long nextSequence = 1;

  /** (epoch, sequence) accepted within the freshness window, with when. */
  @GuardedBy("this")
  private final Map<String, Long> seen = new LinkedHashMap<>();

  /**
   * @param ownRole the role written into our datagrams; received ones must carry the partner's
   * @param key the heartbeat key
   * @param clock wall clock (freshness)
   */
  public AdminRelayCodec(Role ownRole, HeartbeatKey key, InstantSource clock) {
    this.ownRole = ownRole;
    this.clock = clock;
    this.epoch = new SecureRandom().nextLong();
    try {
      this.mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Whether {@code data} is an admin relay datagram (by its magic), whatever its validity. */
  public static boolean isAdminRelay(byte[] data, int length) {
    return length >= 4 && ByteBuffer.wrap(data, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt() == MAGIC;
  }

  /** What a datagram says. */
  public sealed interface Message {}

  /**
   * A change the partner made.
   *
   * @param state 1 enabled, 2 drain, 3 maintenance
   */
  public record Change(
      long epoch, long sequence, String virtual, InetSocketAddress server, int state)
      implements Message {}

  /** The partner applied our change {@code sequence} (of our {@code epoch}). */
  public record Ack(long epoch, long sequence) implements Message {}

  /** A change already accepted (a retransmission): acknowledge it again, do not apply it. */
  public record Duplicate(Change change) implements Message {}

  /** Not accepted; {@code reason} is one log line. */
  public record Rejected(String reason) implements Message {}

  /** A change datagram; {@link #lastSequence} tells its sequence. */
  public synchronized Encoded change(String virtual, InetSocketAddress server, int state) {
    if (state < 1 || state > 3) {
      throw new IllegalArgumentException("state " + state);
    }
    long seq = nextSequence++;
    return new Encoded(
        epoch, seq, encode(1, ownRole, state, epoch, seq, clock.millis(), virtual, server));
  }

  /** An encoded change and its identity. */
  public record Encoded(long epoch, long sequence, byte[] bytes) {}

  /** The acknowledgement of {@code c}. */
  public synchronized byte[] ack(Change c) {
    return encode(2, ownRole, 0, c.epoch(), c.sequence(), clock.millis(), c.virtual(), c.server());
  }

  /** This run's epoch. */
  public long epoch() {
    return epoch;
  }

  /** A datagram with explicit fields (tests forge and replay with it). */
  synchronized byte[] encode(
      int type,
      Role role,
      int state,
      long epochField,
      long sequence,
      long millis,
      String virtual,
      InetSocketAddress server) {
    byte[] name = virtual.getBytes(StandardCharsets.UTF_8);
    if (name.length > MAX_NAME) {
      throw new IllegalArgumentException("virtual service name longer than 255 bytes");
    }
    byte[] addr = server.getAddress().getAddress();
    ByteBuffer b =
        ByteBuffer.allocate(HEADER + addr.length + 2 + name.length + MAC_LENGTH)
            .order(ByteOrder.BIG_ENDIAN);
    b.putInt(MAGIC).put((byte) VERSION).put((byte) type).put(roleByte(role)).put((byte) state);
    b.putLong(epochField).putLong(sequence).putLong(millis);
    b.putShort((short) server.getPort()).put((byte) addr.length).put(addr);
    b.putShort((short) name.length).put(name);
    mac.update(b.array(), 0, b.position());
    b.put(mac.doFinal());
    return b.array();
  }

  /** Checks the first {@code length} bytes of {@code data}. */
  public synchronized Message decode(byte[] data, int length) {
    if (length < HEADER + 4 + 2 + MAC_LENGTH || length > 1024) {
      return new Rejected("admin relay datagram of " + length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(ByteOrder.BIG_ENDIAN);
    if (b.getInt() != MAGIC) {
      return new Rejected("not an admin relay datagram");
    }
    int version = b.get() & 0xff;
    if (version != VERSION) {
      return new Rejected("admin relay version " + version + ", expected " + VERSION);
    }
    mac.update(data, 0, length - MAC_LENGTH);
    byte[] expected = mac.doFinal();
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(data, length - MAC_LENGTH, length))) {
      return new Rejected("admin relay datagram with a bad HMAC (forged, or the keys differ)");
    }
    int type = b.get() & 0xff;
    int role = b.get() & 0xff;
    int state = b.get() & 0xff;
    long ep = b.getLong();
    long seq = b.getLong();
    long millis = b.getLong();
    int port = b.getShort() & 0xffff;
    int alen = b.get() & 0xff;
    if ((alen != 4 && alen != 16) || b.remaining() < alen + 2 + MAC_LENGTH) {
      return new Rejected("admin relay datagram with a bad address");
    }
    byte[] addr = new byte[alen];
    b.get(addr);
    int nlen = b.getShort() & 0xffff;
    if (nlen > MAX_NAME || b.remaining() != nlen + MAC_LENGTH) {
      return new Rejected("admin relay datagram with a bad name length");
    }
    byte[] name = new byte[nlen];
    b.get(name);
    if (role != (roleByte(ownRole.partner()) & 0xff)) {
      return new Rejected("admin relay datagram claims role " + role + ", not the partner's");
    }
    long skew = millis - clock.millis();
    if (Math.abs(skew) > FRESHNESS.toMillis()) {
      return new Rejected(
          "admin relay datagram "
              + Math.abs(skew) / 1000
              + " s "
              + (skew > 0 ? "ahead of" : "behind")
              + " this director's clock (more than "
              + FRESHNESS.toSeconds()
              + " s: a replay, or the directors' clocks differ; run NTP)");
    }
    if (type == 2) {
      return new Ack(ep, seq);
    }
    if (type != 1 || state < 1 || state > 3) {
      return new Rejected("admin relay datagram of unknown type " + type + " or state " + state);
    }
    Change c;
    try {
      c =
          new Change(
              ep,
              seq,
              new String(name, StandardCharsets.UTF_8),
              new InetSocketAddress(InetAddress.getByAddress(addr), port),
              state);
    } catch (UnknownHostException e) {
      return new Rejected("admin relay datagram with a bad address");
    }
    long now = clock.millis();
    seen.values().removeIf(at -> now - at > 2 * FRESHNESS.toMillis());
    String id = ep + "/" + seq;
    if (seen.containsKey(id)) {
      return new Duplicate(c);
    }
    if (seen.size() >= 10_000) {
      return new Rejected("too many admin changes within " + FRESHNESS.toSeconds() + " s");
    }
    seen.put(id, now);
    return c;
  }

  private static byte roleByte(Role r) {
    return (byte) (r == Role.PRIMARY ? 1 : 2);
  }
}
