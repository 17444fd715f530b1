package io.lvspulse.probe.tftp;

import io.lvspulse.net.Addresses;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The client side of one TFTP probe as a pure state machine: no sockets, no clock. The engine feeds
 * it datagrams, timer ticks and ICMP port-unreachable events with the current {@code nanoTime}, and
 * sends what it asks for through a {@link Wire}. This keeps every protocol rule testable without
 * I/O and without sleeping.
 *
 * <p>Rules: only datagrams from the probed IP address are considered; the server's transfer ID
 * (source port) is locked from its first valid reply; datagrams from other ports of the server
 * afterwards get ERROR 5 "Unknown transfer ID" (at most {@value #MAX_STRAY_ANSWERS} per probe) and
 * are otherwise ignored; malformed datagrams never count as an answer.
 */
final class TftpTransfer {
  /** Where the transfer's outgoing packets go. */
  interface Wire {
    void send(InetSocketAddress to, ByteBuffer packet);
  }

  static final String OK_CONNECT = "OK - answer from server";
  static final String TIMED_OUT = "Transfer timed out";
  static final int MAX_STRAY_ANSWERS = 16;

  private final TftpCheck check;
  private final InetSocketAddress server;
  private final long startNanos;
  private final long deadlineNanos;
  private final long retransmitNanos;
  private final @Nullable MessageDigest digest;

  private boolean askOptions;
  private int tid = -1;
  private int blockSize = TftpPacket.DEFAULT_BLOCK_SIZE;
  private int lastBlock;
  private boolean oackAcked;
  private long blocks;
  private long bytes;
  private boolean pendingCr;
  private @Nullable ByteBuffer lastSent;
  private @Nullable InetSocketAddress lastSentTo;
  private long nextRetransmit;
  private @Nullable String lastRejection;
  private int strayAnswers;
  private long ignoredForeign;
  private @Nullable ProbeResult result;

  TftpTransfer(TftpCheck check, InetSocketAddress resolvedServer, long startNanos) {
    this.check = check;
    this.server = resolvedServer;
    this.startNanos = startNanos;
    this.deadlineNanos = startNanos + check.timeout().toNanos();
    this.retransmitNanos = check.retransmitInterval().toNanos();
    this.askOptions = check.mode() instanceof TftpCheck.Get && check.blockSize() > 0;
    MessageDigest md = null;
    if (check.mode() instanceof TftpCheck.Get g && g.sha256().isPresent()) {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is always available", e);
      }
    }
    this.digest = md;
  }

  /** Sends the first RRQ. */
  void start(long now, Wire wire) {
    sendRrq(now, wire);
  }

  /** The result, once the transfer is over. */
  Optional<ProbeResult> result() {
    return Optional.ofNullable(result);
  }

  boolean done() {
    return result != null;
  }

  /** When {@link #onTimer} wants to be called next ({@code Long.MAX_VALUE} when done). */
  long nextTimerNanos() {
    return result != null ? Long.MAX_VALUE : Math.min(deadlineNanos, nextRetransmit);
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /** The locked server transfer ID, or -1. */
  int serverTid() {
    return tid;
  }

  long ignoredForeignDatagrams() {
    return ignoredForeign;
  }

  /** Deadline and retransmission. */
  void onTimer(long now, Wire wire) {
    if (result != null) {
      return;
    }
    if (now - deadlineNanos >= 0) {
      if (tid >= 0) {
        send(wire, tidAddress(), new TftpPacket.Error(TftpPacket.ERR_NOT_DEFINED, "timed out"));
      }
      if (lastRejection != null && tid < 0) {
        finish(now, FailureCause.MALFORMED_REPLY, "Invalid reply from server: " + lastRejection);
      } else {
        finish(now, FailureCause.TIMEOUT, TIMED_OUT);
      }
      return;
    }
    if (now - nextRetransmit >= 0 && lastSent != null && lastSentTo != null) {
      wire.send(lastSentTo, lastSent.duplicate());
      nextRetransmit = now + retransmitNanos;
    }
  }

  /** ICMP port unreachable for a packet sent to the server's listening port. */
  void onPortUnreachable(long now) {
    if (result == null && tid < 0) {
      finish(
          now,
          FailureCause.PORT_UNREACHABLE,
          "Port unreachable: nothing listens on " + hostPort(server));
    }
  }

  /**
   * An I/O error on the probe's sockets; {@code local}: a fault of this director (ENOBUFS, EMFILE),
   * not of the server.
   */
  void onIoError(long now, String what, boolean local) {
    if (result == null) {
      finish(now, local ? FailureCause.LOCAL_ERROR : FailureCause.IO_ERROR, what);
    }
  }

  /** One received datagram (position..limit of {@code payload}). */
  void onDatagram(InetSocketAddress from, ByteBuffer payload, long now, Wire wire) {
    if (result != null) {
      return;
    }
    if (!from.getAddress().equals(server.getAddress())) {
      ignoredForeign++;
      return;
    }
    if (tid >= 0 && from.getPort() != tid) {
      if (strayAnswers < MAX_STRAY_ANSWERS) {
        strayAnswers++;
        send(wire, from, new TftpPacket.Error(TftpPacket.ERR_UNKNOWN_TID, "Unknown transfer ID"));
      }
      return;
    }
    TftpCodec.DecodeResult d = TftpCodec.decode(payload);
    if (d instanceof TftpCodec.Rejected r) {
      if (tid >= 0) {
        send(
            wire, from, new TftpPacket.Error(TftpPacket.ERR_ILLEGAL_OPERATION, "Malformed packet"));
        finish(now, FailureCause.MALFORMED_REPLY, "Invalid reply from server: " + r.reason());
      } else {
        lastRejection = r.reason();
      }
      return;
    }
    TftpPacket p = ((TftpCodec.Decoded) d).packet();
    if (check.mode() instanceof TftpCheck.Connect) {
      onConnectReply(from, p, now, wire);
    } else {
      onGetReply(from, p, now, wire, (TftpCheck.Get) check.mode());
    }
  }

  private void onConnectReply(InetSocketAddress from, TftpPacket p, long now, Wire wire) {
    if (p instanceof TftpPacket.Error) {
      tid = from.getPort();
      succeed(now, OK_CONNECT);
    } else if (p instanceof TftpPacket.Data data && data.block() == 1) {
      tid = from.getPort();
      send(wire, from, new TftpPacket.Error(TftpPacket.ERR_NOT_DEFINED, "probe done"));
      succeed(now, OK_CONNECT);
    } else {
      lastRejection = "unexpected " + describe(p) + " in answer to a read request";
    }
  }

  private void onGetReply(
      InetSocketAddress from, TftpPacket p, long now, Wire wire, TftpCheck.Get get) {
    if (tid < 0) {
      if (p instanceof TftpPacket.Error e) {
        if (e.code() == TftpPacket.ERR_OPTION_NEGOTIATION && askOptions) {
          askOptions = false; // RFC 2347: the client may retry without options
          sendRrq(now, wire);
          return;
        }
        tid = from.getPort();
        failWithError(now, e, get);
      } else if (p instanceof TftpPacket.Oack o && askOptions) {
        tid = from.getPort();
        onOack(o, now, wire);
      } else if (p instanceof TftpPacket.Data data && data.block() == 1) {
        tid = from.getPort();
        blockSize = TftpPacket.DEFAULT_BLOCK_SIZE; // options ignored by the server
        onData(data, now, wire, get);
      } else {
        lastRejection = "unexpected " + describe(p) + " in answer to a read request";
      }
      return;
    }
    if (p instanceof TftpPacket.Data data) {
      int expected = (lastBlock + 1) & 0xFFFF;
      if (data.block() == expected && (blocks > 0 || oackAcked || expected == 1)) {
        onData(data, now, wire, get);
      } else if (data.block() == lastBlock && (blocks > 0 || oackAcked)) {
        send(wire, tidAddress(), new TftpPacket.Ack(lastBlock)); // our ACK was lost
        nextRetransmit = now + retransmitNanos;
      }
    } else if (p instanceof TftpPacket.Error e) {
      failWithError(now, e, get);
    } else if (p instanceof TftpPacket.Oack && oackAcked && blocks == 0) {
      send(wire, tidAddress(), new TftpPacket.Ack(0));
    }
    // other packets from the server's TID are ignored
  }

  private void onOack(TftpPacket.Oack o, long now, Wire wire) {
    int bs = TftpPacket.DEFAULT_BLOCK_SIZE;
    for (Map.Entry<String, String> e : o.options().entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      String v = e.getValue();
      switch (k) {
        case "blksize" -> {
          int n = parseSmallInt(v);
          if (n < TftpPacket.MIN_BLOCK_SIZE || n > check.blockSize()) {
            rejectOack(now, wire, "OACK blksize " + v + " is not in 8.." + check.blockSize());
            return;
          }
          bs = n;
        }
        case "tsize" -> {
          if (v.isEmpty() || v.length() > 19 || !v.chars().allMatch(Character::isDigit)) {
            rejectOack(now, wire, "OACK tsize " + v + " is not a number");
            return;
          }
        }
        default -> {
          rejectOack(now, wire, "OACK has option " + e.getKey() + " that was not requested");
          return;
        }
      }
    }
    blockSize = bs;
    oackAcked = true;
    lastBlock = 0;
    send(wire, tidAddress(), new TftpPacket.Ack(0));
    nextRetransmit = now + retransmitNanos;
  }

  private void rejectOack(long now, Wire wire, String why) {
    send(wire, tidAddress(), new TftpPacket.Error(TftpPacket.ERR_OPTION_NEGOTIATION, why));
    finish(now, FailureCause.MALFORMED_REPLY, "Invalid reply from server: " + why);
  }

  private void onData(TftpPacket.Data data, long now, Wire wire, TftpCheck.Get get) {
    if (data.length() > blockSize) {
      send(
          wire,
          tidAddress(),
          new TftpPacket.Error(TftpPacket.ERR_ILLEGAL_OPERATION, "block too big"));
      finish(
          now,
          FailureCause.MALFORMED_REPLY,
          "Invalid reply from server: DATA block of "
              + data.length()
              + " bytes exceeds blksize "
              + blockSize);
      return;
    }
    count(data.data());
    if (bytes > get.expectedSize()) {
      send(wire, tidAddress(), new TftpPacket.Error(TftpPacket.ERR_NOT_DEFINED, "file too large"));
      finish(
          now,
          FailureCause.TRANSFER_ERROR,
          "File size mismatch: expected "
              + get.expectedSize()
              + " bytes, got at least "
              + bytes
              + " bytes");
      return;
    }
    lastBlock = data.block();
    blocks++;
    send(wire, tidAddress(), new TftpPacket.Ack(lastBlock));
    nextRetransmit = now + retransmitNanos;
    if (data.length() < blockSize) {
      if (pendingCr) {
        pendingCr = false;
        countByte((byte) '\r');
      }
      complete(now, get);
    }
  }

  private void complete(long now, TftpCheck.Get get) {
    if (bytes != get.expectedSize()) {
      finish(
          now,
          FailureCause.TRANSFER_ERROR,
          "File size mismatch: expected " + get.expectedSize() + " bytes, got " + bytes + " bytes");
      return;
    }
    if (digest != null && get.sha256().isPresent()) {
      String got = HexFormat.of().formatHex(digest.digest());
      if (!got.equals(get.sha256().get())) {
        finish(
            now,
            FailureCause.TRANSFER_ERROR,
            "SHA-256 mismatch: expected " + get.sha256().get() + ", got " + got);
        return;
      }
    }
    double secs = (now - startNanos) / 1e9;
    succeed(now, String.format(Locale.ROOT, "OK - Received %d bytes in %.3f seconds", bytes, secs));
  }

  private void count(byte[] data) {
    if (!check.netascii()) {
      bytes += data.length;
      if (digest != null) {
        digest.update(data);
      }
      return;
    }
    for (byte b : data) {
      if (pendingCr) {
        pendingCr = false;
        if (b == '\n') {
          countByte((byte) '\n');
          continue;
        } else if (b == 0) {
          countByte((byte) '\r');
          continue;
        }
        countByte((byte) '\r'); // a bare CR (not valid netascii): keep it
      }
      if (b == '\r') {
        pendingCr = true;
      } else {
        countByte(b);
      }
    }
  }

  private void countByte(byte b) {
    bytes++;
    if (digest != null) {
      digest.update(b);
    }
  }

  private void failWithError(long now, TftpPacket.Error e, TftpCheck.Get get) {
    String msg =
        e.code() == TftpPacket.ERR_FILE_NOT_FOUND
            ? "Server answered: file " + get.filename() + " not found"
            : "Unknown error: Error code " + e.code() + ": " + oneLine(e.message());
    finish(now, FailureCause.TRANSFER_ERROR, msg);
  }

  private void sendRrq(long now, Wire wire) {
    Map<String, String> opts = new LinkedHashMap<>();
    if (askOptions) {
      opts.put("blksize", Integer.toString(check.blockSize()));
      opts.put("tsize", "0");
    }
    String mode = check.netascii() ? "netascii" : "octet";
    send(wire, server, new TftpPacket.Rrq(check.mode().filename(), mode, opts));
    nextRetransmit = now + retransmitNanos;
  }

  private void send(Wire wire, InetSocketAddress to, TftpPacket p) {
    ByteBuffer b = p.encode();
    if (!(p instanceof TftpPacket.Error)) {
      lastSent = b.duplicate();
      lastSentTo = to;
    }
    wire.send(to, b);
  }

  private InetSocketAddress tidAddress() {
    return new InetSocketAddress(server.getAddress(), tid);
  }

  private void succeed(long now, String message) {
    result = ProbeResult.ok(message, elapsed(now));
  }

  private void finish(long now, FailureCause cause, String message) {
    result = ProbeResult.failure(cause, message, elapsed(now));
  }

  private Duration elapsed(long now) {
    return Duration.ofNanos(Math.max(0, now - startNanos));
  }

  private static int parseSmallInt(String v) {
    if (v.isEmpty() || v.length() > 6 || !v.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Integer.parseInt(v);
  }

  static String hostPort(InetSocketAddress a) {
    return Addresses.canonical(a);
  }

  private static String describe(TftpPacket p) {
    return switch (p.opcode()) {
      case TftpPacket.OP_RRQ -> "RRQ";
      case TftpPacket.OP_WRQ -> "WRQ";
      case TftpPacket.OP_DATA -> "DATA block " + ((TftpPacket.Data) p).block();
      case TftpPacket.OP_ACK -> "ACK";
      case TftpPacket.OP_ERROR -> "ERROR";
      default -> "OACK";
    };
  }

  private static String oneLine(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(200).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return b.toString();
  }
}
