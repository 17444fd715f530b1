package io.lvspulse.probe.tftp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decodes TFTP packets. Every input gives a {@link DecodeResult}: either a packet or the reason it
 * was rejected. No exception escapes {@link #decode(ByteBuffer)}, whatever the bytes.
 *
 * <p>The decoder is strict: it accepts exactly what {@link TftpPacket#encode()} can produce (so
 * every accepted packet re-encodes to the same bytes, except that an ERROR message is decoded as
 * UTF-8 with replacement characters). In particular: ACK is exactly 4 bytes; ERROR, RRQ, WRQ and
 * OACK strings must be NUL-terminated with nothing after the last NUL; DATA carries at most 65464
 * bytes; option names and values are printable ASCII and appear in pairs, without duplicates.
 */
public final class TftpCodec {
  private TftpCodec() {}

  /** The result of decoding one datagram. */
  public sealed interface DecodeResult permits Decoded, Rejected {}

  /** A well-formed packet. */
  public record Decoded(TftpPacket packet) implements DecodeResult {}

  /** A malformed datagram and why it was rejected. */
  public record Rejected(String reason) implements DecodeResult {}

  /** Decodes the bytes between position and limit (the buffer's position is not changed). */
  public static DecodeResult decode(ByteBuffer datagram) {
    try {
      return decodeStrict(datagram.duplicate());
    } catch (RuntimeException e) { // defensive: a decoder bug must never escape the engine
      return new Rejected("decoder error: " + e);
    }
  }

  /** Decodes a whole array. */
  public static DecodeResult decode(byte[] datagram) {
    return decode(ByteBuffer.wrap(datagram));
  }

  static boolean isOptionText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static DecodeResult decodeStrict(ByteBuffer b) {
    int len = b.remaining();
    if (len < 2) {
      return new Rejected("datagram of " + len + " bytes is too short for an opcode");
    }
    int op = b.getShort() & 0xFFFF;
    switch (op) {
      case TftpPacket.OP_RRQ:
      case TftpPacket.OP_WRQ:
        return decodeRequest(op, b);
      case TftpPacket.OP_DATA:
        {
          if (b.remaining() < 2) {
            return new Rejected("DATA of " + len + " bytes has no block number");
          }
          int block = b.getShort() & 0xFFFF;
          if (b.remaining() > TftpPacket.MAX_BLOCK_SIZE) {
            return new Rejected("DATA payload of " + b.remaining() + " bytes is oversized");
          }
          byte[] data = new byte[b.remaining()];
          b.get(data);
          return new Decoded(new TftpPacket.Data(block, data));
        }
      case TftpPacket.OP_ACK:
        if (len != 4) {
          return new Rejected("ACK must be 4 bytes, got " + len);
        }
        return new Decoded(new TftpPacket.Ack(b.getShort() & 0xFFFF));
      case TftpPacket.OP_ERROR:
        {
          if (b.remaining() < 3) {
            return new Rejected("ERROR of " + len + " bytes is truncated");
          }
          int code = b.getShort() & 0xFFFF;
          int start = b.position();
          int nul = indexOfNul(b, start);
          if (nul < 0) {
            return new Rejected("ERROR message is not NUL-terminated");
          }
          if (nul != b.limit() - 1) {
            return new Rejected("ERROR has " + (b.limit() - 1 - nul) + " bytes after its message");
          }
          byte[] m = new byte[nul - start];
          b.get(m);
          String msg = new String(m, StandardCharsets.UTF_8); // malformed input is replaced
          return new Decoded(new TftpPacket.Error(code, msg.replace('\0', '\uFFFD')));
        }
      case TftpPacket.OP_OACK:
        {
          Map<String, String> opts = new LinkedHashMap<>();
          String why = readOptions(b, opts);
          if (why != null) {
            return new Rejected("OACK " + why);
          }
          if (opts.isEmpty()) {
            return new Rejected("OACK without options");
          }
          return new Decoded(new TftpPacket.Oack(opts));
        }
      default:
        return new Rejected("unknown opcode " + op);
    }
  }

  private static DecodeResult decodeRequest(int op, ByteBuffer b) {
    String name = op == TftpPacket.OP_RRQ ? "RRQ" : "WRQ";
    String file = readString(b);
    if (file == null) {
      return new Rejected(name + " file name is not NUL-terminated");
    }
    if (file.isEmpty()) {
      return new Rejected(name + " has an empty file name");
    }
    String mode = readString(b);
    if (mode == null) {
      return new Rejected(name + " mode is not NUL-terminated");
    }
    String m = mode.toLowerCase(Locale.ROOT);
    if (!m.equals("netascii") && !m.equals("octet") && !m.equals("mail")) {
      return new Rejected(name + " has an unknown mode");
    }
    Map<String, String> opts = new LinkedHashMap<>();
    String why = readOptions(b, opts);
    if (why != null) {
      return new Rejected(name + " " + why);
    }
    return new Decoded(
        op == TftpPacket.OP_RRQ
            ? new TftpPacket.Rrq(file, mode, opts)
            : new TftpPacket.Wrq(file, mode, opts));
  }

  /** Reads name/value pairs to the end of the buffer; returns null or a rejection reason. */
  private static @Nullable String readOptions(ByteBuffer b, Map<String, String> out) {
    Set<String> seen = new HashSet<>();
    while (b.hasRemaining()) {
      String k = readString(b);
      if (k == null) {
        return "option name is not NUL-terminated";
      }
      String v = readString(b);
      if (v == null) {
        return "option " + printable(k) + " has no NUL-terminated value";
      }
      if (k.isEmpty() || !isOptionText(k)) {
        return "has an empty or non-ASCII option name";
      }
      if (!isOptionText(v)) {
        return "option " + k + " has a non-ASCII value";
      }
      if (!seen.add(k.toLowerCase(Locale.ROOT))) {
        return "repeats option " + k;
      }
      out.put(k, v);
    }
    return null;
  }

  /** Reads a NUL-terminated ISO-8859-1 string, or returns null when there is no NUL. */
  private static @Nullable String readString(ByteBuffer b) {
    int start = b.position();
    int nul = indexOfNul(b, start);
    if (nul < 0) {
      return null;
    }
    byte[] s = new byte[nul - start];
    b.get(s);
    b.get(); // the NUL
    return new String(s, StandardCharsets.ISO_8859_1);
  }

  private static int indexOfNul(ByteBuffer b, int from) {
    for (int i = from; i < b.limit(); i++) {
      if (b.get(i) == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String printable(String s) {
    return isOptionText(s) && s.length() <= 32 ? s : "(binary)";
  }
}
