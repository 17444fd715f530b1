package io.lvspulse.probe.tftp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What one TFTP probe does: the server, the mode ({@link Connect} or {@link Get}), the total
 * timeout and the RRQ retransmission interval.
 *
 * @param server the probed address and port (an unresolved address fails with UNKNOWN_HOST)
 * @param mode connect or get
 * @param timeout the whole probe's deadline, counted from its start
 * @param retransmitInterval how long to wait for an answer before resending the last packet
 * @param blockSize the {@code blksize} option asked for in get mode (RFC 2348), or 0 to ask for no
 *     options at all (plain RFC 1350, 512-byte blocks)
 * @param netascii transfer in {@code netascii} mode (sizes and digests are counted after converting
 *     CR LF to LF, as a client writing the file would); otherwise {@code octet}
 */
public record TftpCheck(
    InetSocketAddress server,
    Mode mode,
    Duration timeout,
    Duration retransmitInterval,
    int blockSize,
    boolean netascii) {

  /** check_tftp's file name for the connect check. */
  public static final String CONNECT_FILE = "NaGiOs_ChEcK_FiLe";

  /** The {@code blksize} asked for by default in get mode (fits a 1500-byte Ethernet MTU). */
  public static final int DEFAULT_GET_BLOCK_SIZE = 1428;

  /** The closed set of check modes. */
  public sealed interface Mode permits Connect, Get {
    String filename();
  }

  /** RRQ a (normally missing) file; any well-formed ERROR or DATA 1 from the server is success. */
  public record Connect(String filename) implements Mode {
    public Connect {
      new TftpPacket.Rrq(filename, "octet"); // validates the name
    }
  }

  /**
   * Fetch the whole file; success when its size (and, if given, SHA-256) match.
   *
   * @param sha256 lower-case hex digest, 64 characters
   */
  public record Get(String filename, long expectedSize, Optional<String> sha256) implements Mode {
    public Get {
      new TftpPacket.Rrq(filename, "octet");
      if (expectedSize < 0) {
        throw new IllegalArgumentException("negative size: " + expectedSize);
      }
      sha256 = sha256.map(h -> h.toLowerCase(Locale.ROOT));
      sha256.ifPresent(
          h -> {
            if (h.length() != 64 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
              throw new IllegalArgumentException("not a SHA-256 hex digest: " + h);
            }
            HexFormat.of().parseHex(h);
          });
    }
  }

  public TftpCheck {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(mode, "mode");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (retransmitInterval.isNegative() || retransmitInterval.isZero()) {
      throw new IllegalArgumentException("retransmit interval must be positive");
    }
    if (blockSize != 0
        && (blockSize < TftpPacket.MIN_BLOCK_SIZE || blockSize > TftpPacket.MAX_BLOCK_SIZE)) {
      throw new IllegalArgumentException("blksize must be 0 or 8..65464: " + blockSize);
    }
  }

  /** {@code check_tftp --connect}: RRQ {@value #CONNECT_FILE}. */
  public static TftpCheck connect(InetSocketAddress server, Duration timeout) {
    return new TftpCheck(
        server, new Connect(CONNECT_FILE), timeout, defaultRetransmit(timeout), 0, false);
  }

  /** {@code check_tftp --get}: fetch {@code file} and compare its size (and digest). */
  public static TftpCheck get(
      InetSocketAddress server, String file, long size, Optional<String> sha256, Duration timeout) {
    return new TftpCheck(
        server,
        new Get(file, size, sha256),
        timeout,
        defaultRetransmit(timeout),
        DEFAULT_GET_BLOCK_SIZE,
        false);
  }

  /** The same check with another retransmission interval. */
  public TftpCheck withRetransmitInterval(Duration interval) {
    return new TftpCheck(server, mode, timeout, interval, blockSize, netascii);
  }

  /** The same check with another {@code blksize} request (0: no options). */
  public TftpCheck withBlockSize(int size) {
    return new TftpCheck(server, mode, timeout, retransmitInterval, size, netascii);
  }

  /** The same check in netascii mode. */
  public TftpCheck withNetascii(boolean on) {
    return new TftpCheck(server, mode, timeout, retransmitInterval, blockSize, on);
  }

  /**
   * Default RRQ retransmission: a fifth of the timeout, between 100 ms and 1 s, so a lost packet
   * costs little and several retransmissions fit inside the timeout (tftp-hpa resends every 5 s).
   */
  public static Duration defaultRetransmit(Duration timeout) {
    Duration d = timeout.dividedBy(5);
    if (d.compareTo(Duration.ofMillis(100)) < 0) {
      d = Duration.ofMillis(100);
    }
    if (d.compareTo(Duration.ofSeconds(1)) > 0) {
      d = Duration.ofSeconds(1);
    }
    return d;
  }
}
