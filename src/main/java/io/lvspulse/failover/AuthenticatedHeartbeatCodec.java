package io.lvspulse.failover;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * lvs-pulse's authenticated heartbeat (used when {@code heartbeat_key_file} is set; both directors
 * must run lvs-pulse 2 or later with the same key). Version 2, all integers big-endian:
 *
 * <pre>
 * offset size field
 *  0      4   magic "LVSP" (0x4c565350)
 *  4      1   version = 2
 *  5      1   sender role: 1 = primary, 2 = backup
 *  6      1   message kind: 1 = heartbeat
 *  7      1   reserved, 0
 *  8      8   sender run id: random, drawn at every start (never 0)
 * 16      8   sender sequence: 1 for the run's first message, +1 per message
 * 24      8   echoed run id: the partner's, from the newest authentic message received from it (0 = none)
 * 32      8   echoed sequence: that message's sequence
 * 40      2   body length N
 * 42      N   body (heartbeat: state 1 = RUNNING / 2 = STOPPED; health 1 = ok / 2 = local problem;
 *             problem length M (0..120); M bytes of UTF-8 problem text)
 * 42+N   32   HMAC-SHA256(key, bytes 0 .. 41+N)
 * </pre>
 *
 * <p>Replay protection, without clocks and without state on disk (issue 9 item 1: the sequence used
 * to start at the sender's wall-clock start time, so a partner that restarted after its clock was
 * stepped back, or that was restored from a VM snapshot, was rejected for ever). A message whose
 * length, magic, version and MAC are right and whose role is the partner's is accepted when either
 *
 * <ol>
 *   <li><b>in sequence:</b> it belongs to the partner run we accept (same run id) and its sequence
 *       is above the last accepted one; or
 *   <li><b>fresh:</b> it echoes one of our own messages sent within the freshness window (default
 *       10 s; {@link #freshness}) and that echo is newer than the echo of every message accepted
 *       before. Only a message built after it received ours can echo ours, so this proves it is not
 *       a replay; it lets a restarted partner (a new run id) or a partner restored from a snapshot
 *       (its run id with lower sequences) in again. It then becomes the accepted run.
 * </ol>
 *
 * A new run is therefore accepted after one round trip: its first messages echo nothing of ours
 * ({@link RxResult#HANDSHAKE}), we answer at once with a message that echoes them, its next message
 * echoes ours. A replay of a message recorded earlier than the freshness window is always rejected;
 * one recorded within it is rejected once a newer message has been accepted.
 *
 * <p>Thread-safe.
 */
public final class AuthenticatedHeartbeatCodec implements HeartbeatCodec {
  public static final int MAGIC = 0x4c565350;
  public static final int VERSION = 2;
  static final int HEADER = 42;
  static final int MAC_LENGTH = 32;
  static final int MAX_BODY = 1024;

  /** Message kinds. */
  static final int KIND_HEARTBEAT = 1;

  /** Length of a heartbeat without a problem text. */
  public static final int HEARTBEAT_LENGTH = HEADER + 3 + MAC_LENGTH;

  /** How many of our sends are remembered for the freshness check. */
  private static final int SENT_RING = 4096;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Role ownRole;
  private final Mac mac;
  private final InstantSource clock;
  private final PlainHeartbeatCodec plain = new PlainHeartbeatCodec();
  private final long ownRun;

  // encode runs on the scheduler and actions threads, decode on the receive threads.
  @GuardedBy("this")
  private long nextSequence = 1;

  /** Monotonic send times of our recent sequences, indexed by sequence modulo the ring size. */
  @GuardedBy("this")
  private final Instant[] sentAt = new Instant[SENT_RING];

  @GuardedBy("this")
  private Duration freshness = Duration.ofSeconds(10);

  /** The partner run we accept (0 = none yet) and its last accepted sequence. */
  @GuardedBy("this")
  private long partnerRun;

  @GuardedBy("this")
  private long lastSequence;

  /** The highest of our sequences echoed by an accepted message. */
  @GuardedBy("this")
  private long lastEcho;

  /** What our messages echo: the newest authentic message of the partner. */
  @GuardedBy("this")
  private long echoRun;

  @GuardedBy("this")
  private long echoSequence;

  /**
   * @param ownRole the sender role written into our packets; received packets must carry the other
   * @param key the shared key
   * @param clock a monotonic clock ({@link io.lvspulse.time.MonotonicClock}): when our messages
   *     were sent, for the freshness of echoes
   */
  public AuthenticatedHeartbeatCodec(Role ownRole, HeartbeatKey key, InstantSource clock) {
    this(ownRole, key, clock, newRunId(), 1);
  }

  /** A codec with a given run id and first sequence (tests: a VM restored from a snapshot). */
  AuthenticatedHeartbeatCodec(
      Role ownRole, HeartbeatKey key, InstantSource clock, long runId, long firstSequence) {
    this.ownRole = Objects.requireNonNull(ownRole);
    this.clock = Objects.requireNonNull(clock);
    if (runId == 0) {
      throw new IllegalArgumentException("run id 0 means none");
    }
    this.ownRun = runId;
    this.nextSequence = firstSequence;
    try {
      this.mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static long newRunId() {
    long r;
    do {
      r = RANDOM.nextLong();
    } while (r == 0);
    return r;
  }

  /** This run's id. */
  public long runId() {
    return ownRun;
  }

  /** The next sequence this codec will send (tests). */
  synchronized long nextSequence() {
    return nextSequence;
  }

  /**
   * How old one of our messages may be for the partner's echo of it to prove freshness (default 10
   * s; the failover sets {@code max(2 × deadtime, 2 s)}).
   */
  public synchronized void freshness(Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("freshness must be positive");
    }
    this.freshness = d;
  }

  @Override
  public synchronized byte[] encode(Heartbeat h) {
    byte[] problem = h.problem().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
    int m = Math.min(problem.length, Heartbeat.MAX_PROBLEM_BYTES);
    ByteBuffer body = ByteBuffer.allocate(3 + m);
    body.put(stateByte(h.state())).put((byte) (h.problem().isPresent() ? 2 : 1)).put((byte) m);
    body.put(problem, 0, m);
    long seq = nextSequence++;
    sentAt[(int) Math.floorMod(seq, (long) SENT_RING)] = clock.instant();
    return encode(ownRole, KIND_HEARTBEAT, ownRun, seq, echoRun, echoSequence, body.array());
  }

  /** A packet with explicit fields (tests build forged, replayed and foreign packets with it). */
  synchronized byte[] encode(
      Role role, int kind, long run, long seq, long echoedRun, long echoedSeq, byte[] body) {
    ByteBuffer b =
        ByteBuffer.allocate(HEADER + body.length + MAC_LENGTH).order(ByteOrder.BIG_ENDIAN);
    b.putInt(MAGIC).put((byte) VERSION).put(roleByte(role)).put((byte) kind).put((byte) 0);
    b.putLong(run).putLong(seq).putLong(echoedRun).putLong(echoedSeq);
    b.putShort((short) body.length).put(body);
    mac.update(b.array(), 0, HEADER + body.length);
    b.put(mac.doFinal());
    return b.array();
  }

  @Override
  public synchronized Decoded decode(byte[] data, int length) {
    if (length < HEADER + MAC_LENGTH) {
      if (plain.isPlainLvs(data, length)) {
        return new Rejected(
            RxResult.BAD_MAC,
            "unauthenticated Piranha heartbeat while heartbeat_key_file is set (is the partner still pulse?)");
      }
      return new Rejected(
          RxResult.BAD_LENGTH,
          "heartbeat of " + length + " bytes, expected at least " + (HEADER + MAC_LENGTH));
    }
    ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(ByteOrder.BIG_ENDIAN);
    int magic = b.getInt();
    if (magic != MAGIC) {
      return new Rejected(
          RxResult.BAD_MAGIC, String.format(Locale.ROOT, "incompatible heartbeat 0x%08x", magic));
    }
    int version = b.get() & 0xff;
    if (version != VERSION) {
      return new Rejected(
          RxResult.BAD_MAGIC,
          "authenticated heartbeat version "
              + version
              + ", expected "
              + VERSION
              + (version == 1
                  ? " (the partner runs an older lvs-pulse: upgrade both directors)"
                  : ""));
    }
    int role = b.get() & 0xff;
    int kind = b.get() & 0xff;
    b.get();
    long run = b.getLong();
    long seq = b.getLong();
    long echoedRun = b.getLong();
    long echoedSeq = b.getLong();
    int bodyLength = b.getShort() & 0xffff;
    if (bodyLength > MAX_BODY || length != HEADER + bodyLength + MAC_LENGTH) {
      return new Rejected(
          RxResult.BAD_LENGTH,
          "authenticated message of " + length + " bytes with a body of " + bodyLength);
    }
    mac.update(data, 0, HEADER + bodyLength);
    byte[] expected = mac.doFinal();
    byte[] got = Arrays.copyOfRange(data, HEADER + bodyLength, length);
    if (!MessageDigest.isEqual(expected, got)) {
      return new Rejected(
          RxResult.BAD_MAC, "heartbeat with a bad HMAC (forged, or the keys differ)");
    }
    if (role != (roleByte(ownRole.partner()) & 0xff)) {
      return new Rejected(
          RxResult.WRONG_SOURCE,
          "authenticated heartbeat claims role " + role + ", not the partner's (reflected?)");
    }
    // Authentic and from the partner (or a replay of it): our next messages echo the newest one.
    if (run != echoRun || Long.compareUnsigned(seq, echoSequence) > 0) {
      echoRun = run;
      echoSequence = seq;
    }
    boolean inSequence =
        partnerRun != 0 && run == partnerRun && Long.compareUnsigned(seq, lastSequence) > 0;
    boolean fresh = !inSequence && freshEcho(echoedRun, echoedSeq);
    if (!inSequence && !fresh) {
      if (run == partnerRun && seq == lastSequence) {
        return new Rejected(RxResult.DUPLICATE, "the same heartbeat over the other path");
      }
      if (run != partnerRun) {
        return new Rejected(
            RxResult.HANDSHAKE,
            "a new run of the partner (run "
                + Long.toHexString(run)
                + "): accepted once it echoes one of our heartbeats");
      }
      return new Rejected(
          RxResult.REPLAY,
          "replayed or reordered heartbeat: sequence "
              + Long.toUnsignedString(seq)
              + " not above "
              + Long.toUnsignedString(lastSequence)
              + " and no fresh echo");
    }
    Optional<Message> message = body(kind, b, bodyLength);
    if (message.isEmpty()) {
      return new Rejected(RxResult.BAD_MAGIC, "authenticated heartbeat with a malformed body");
    }
    boolean newSession = run != partnerRun;
    partnerRun = run;
    lastSequence = seq;
    if (echoedRun == ownRun && Long.compareUnsigned(echoedSeq, lastEcho) > 0) {
      lastEcho = echoedSeq;
    }
    return new Accepted(message.get(), newSession);
  }

  /** The echo names one of our messages, sent within the freshness window, newer than any echo. */
  @GuardedBy("this")
  private boolean freshEcho(long echoedRun, long echoedSeq) {
    if (echoedRun != ownRun
        || echoedSeq <= lastEcho
        || echoedSeq >= nextSequence
        || nextSequence - echoedSeq > SENT_RING) {
      return false;
    }
    Instant sent = sentAt[(int) Math.floorMod(echoedSeq, (long) SENT_RING)];
    return sent != null && !clock.instant().isAfter(sent.plus(freshness));
  }

  private static Optional<Message> body(int kind, ByteBuffer b, int length) {
    if (kind != KIND_HEARTBEAT) {
      return Optional.of(new Unknown(kind, length));
    }
    if (length < 3) {
      return Optional.empty();
    }
    int state = b.get() & 0xff;
    int health = b.get() & 0xff;
    int m = b.get() & 0xff;
    if ((state != 1 && state != 2) || (health != 1 && health != 2) || m > length - 3) {
      return Optional.empty();
    }
    byte[] text = new byte[m];
    b.get(text);
    HeartbeatState s = state == 1 ? HeartbeatState.RUNNING : HeartbeatState.STOPPED;
    Optional<String> problem =
        health == 2
            ? Optional.of(m == 0 ? "unspecified" : new String(text, StandardCharsets.UTF_8))
            : Optional.empty();
    return Optional.of(Heartbeat.reporting(s, problem));
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
