package io.lvspulse.probe.tftp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A TFTP packet (RFC 1350, with the option extension of RFC 2347). Values are validated on
 * construction, so every instance encodes to a packet that {@link TftpCodec#decode} accepts.
 */
public sealed interface TftpPacket
    permits TftpPacket.Rrq,
        TftpPacket.Wrq,
        TftpPacket.Data,
        TftpPacket.Ack,
        TftpPacket.Error,
        TftpPacket.Oack {

  int OP_RRQ = 1;
  int OP_WRQ = 2;
  int OP_DATA = 3;
  int OP_ACK = 4;
  int OP_ERROR = 5;
  int OP_OACK = 6;

  /** Largest DATA payload allowed by RFC 2348 ({@code blksize} 65464). */
  int MAX_BLOCK_SIZE = 65464;

  /** Smallest {@code blksize} allowed by RFC 2348. */
  int MIN_BLOCK_SIZE = 8;

  /** The RFC 1350 block size. */
  int DEFAULT_BLOCK_SIZE = 512;

  /** Error codes of RFC 1350 and RFC 2347. */
  int ERR_NOT_DEFINED = 0;

  int ERR_FILE_NOT_FOUND = 1;
  int ERR_ACCESS_VIOLATION = 2;
  int ERR_DISK_FULL = 3;
  int ERR_ILLEGAL_OPERATION = 4;
  int ERR_UNKNOWN_TID = 5;
  int ERR_FILE_EXISTS = 6;
  int ERR_NO_SUCH_USER = 7;
  int ERR_OPTION_NEGOTIATION = 8;

  /** The opcode of this packet. */
  int opcode();

  /** Encodes the packet into a new buffer ready to be sent (position 0, limit = length). */
  ByteBuffer encode();

  /** Read request. {@code mode} is {@code netascii}, {@code octet} or {@code mail} (any case). */
  record Rrq(String filename, String mode, Map<String, String> options) implements TftpPacket {
    public Rrq {
      options = validateRequest(filename, mode, options);
    }

    public Rrq(String filename, String mode) {
      this(filename, mode, Map.of());
    }

    @Override
    public int opcode() {
      return OP_RRQ;
    }

    @Override
    public ByteBuffer encode() {
      return encodeRequest(OP_RRQ, filename, mode, options);
    }
  }

  /** Write request (decoded and encoded for completeness; the probe never writes). */
  record Wrq(String filename, String mode, Map<String, String> options) implements TftpPacket {
    public Wrq {
      options = validateRequest(filename, mode, options);
    }

    @Override
    public int opcode() {
      return OP_WRQ;
    }

    @Override
    public ByteBuffer encode() {
      return encodeRequest(OP_WRQ, filename, mode, options);
    }
  }

  /** A data block; {@code block} is 0..65535 (it wraps around after 65535). */
  record Data(int block, byte[] data) implements TftpPacket {
    public Data {
      checkBlock(block);
      Objects.requireNonNull(data, "data");
      if (data.length > MAX_BLOCK_SIZE) {
        throw new IllegalArgumentException("DATA larger than " + MAX_BLOCK_SIZE + " bytes");
      }
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    /** Payload length without copying. */
    public int length() {
      return data.length;
    }

    @Override
    public int opcode() {
      return OP_DATA;
    }

    @Override
    public ByteBuffer encode() {
      ByteBuffer b = ByteBuffer.allocate(4 + data.length);
      b.putShort((short) OP_DATA).putShort((short) block).put(data);
      return b.flip();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Data d && d.block == block && Arrays.equals(d.data, data);
    }

    @Override
    public int hashCode() {
      return 31 * block + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Data[block=" + block + ", length=" + data.length + "]";
    }
  }

  /** Acknowledgement of a block (block 0 acknowledges an OACK). */
  record Ack(int block) implements TftpPacket {
    public Ack {
      checkBlock(block);
    }

    @Override
    public int opcode() {
      return OP_ACK;
    }

    @Override
    public ByteBuffer encode() {
      return ByteBuffer.allocate(4).putShort((short) OP_ACK).putShort((short) block).flip();
    }
  }

  /** An error; it terminates the transfer. */
  record Error(int code, String message) implements TftpPacket {
    public Error {
      checkBlock(code);
      Objects.requireNonNull(message, "message");
      if (message.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("NUL in error message");
      }
    }

    @Override
    public int opcode() {
      return OP_ERROR;
    }

    @Override
    public ByteBuffer encode() {
      byte[] m = message.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(5 + m.length);
      b.putShort((short) OP_ERROR).putShort((short) code).put(m).put((byte) 0);
      return b.flip();
    }
  }

  /** Option acknowledgement (RFC 2347): the options the server accepted, in its order. */
  record Oack(Map<String, String> options) implements TftpPacket {
    public Oack {
      options = validateOptions(options);
      if (options.isEmpty()) {
        throw new IllegalArgumentException("an OACK carries at least one option");
      }
    }

    /** The value of option {@code name} (case-insensitive), or null. */
    public @Nullable String option(String name) {
      for (Map.Entry<String, String> e : options.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }

    @Override
    public int opcode() {
      return OP_OACK;
    }

    @Override
    public ByteBuffer encode() {
      ByteBuffer b = ByteBuffer.allocate(2 + optionsLength(options));
      b.putShort((short) OP_OACK);
      putOptions(b, options);
      return b.flip();
    }
  }

  private static void checkBlock(int v) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException("not a 16-bit unsigned value: " + v);
    }
  }

  private static Map<String, String> validateRequest(
      String filename, String mode, Map<String, String> options) {
    if (filename.isEmpty() || filename.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("empty file name or NUL in file name");
    }
    if (filename.chars().anyMatch(c -> c > 0xFF)) {
      throw new IllegalArgumentException("file name is not ISO-8859-1: " + filename);
    }
    String m = mode.toLowerCase(Locale.ROOT);
    if (!m.equals("netascii") && !m.equals("octet") && !m.equals("mail")) {
      throw new IllegalArgumentException("unknown transfer mode: " + mode);
    }
    return validateOptions(options);
  }

  private static Map<String, String> validateOptions(Map<String, String> options) {
    LinkedHashMap<String, String> copy = new LinkedHashMap<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (!TftpCodec.isOptionText(e.getKey()) || e.getKey().isEmpty()) {
        throw new IllegalArgumentException("bad option name: " + e.getKey());
      }
      if (!TftpCodec.isOptionText(e.getValue())) {
        throw new IllegalArgumentException("bad option value: " + e.getValue());
      }
      if (!seen.add(e.getKey().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("duplicate option: " + e.getKey());
      }
      copy.put(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(copy);
  }

  private static int optionsLength(Map<String, String> options) {
    int n = 0;
    for (Map.Entry<String, String> e : options.entrySet()) {
      n += e.getKey().length() + 1 + e.getValue().length() + 1;
    }
    return n;
  }

  private static void putOptions(ByteBuffer b, Map<String, String> options) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      b.put(e.getKey().getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
      b.put(e.getValue().getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
    }
  }

  private static ByteBuffer encodeRequest(
      int op, String filename, String mode, Map<String, String> options) {
    byte[] f = filename.getBytes(StandardCharsets.ISO_8859_1);
    byte[] m = mode.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(2 + f.length + 1 + m.length + 1 + optionsLength(options));
    b.putShort((short) op).put(f).put((byte) 0).put(m).put((byte) 0);
    putOptions(b, options);
    return b.flip();
  }
}
