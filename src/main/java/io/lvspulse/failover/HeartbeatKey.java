package io.lvspulse.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The shared secret of authenticated heartbeats, read from {@code heartbeat_key_file}: the file's
 * bytes with trailing whitespace (a final newline) removed, at least 16 bytes. Create one with
 * {@code head -c 32 /dev/urandom | base64 > /etc/lvs-pulse/heartbeat.key} and copy it to both
 * directors.
 */
public final class HeartbeatKey {
  /** The shortest key accepted. */
  public static final int MIN_LENGTH = 16;

  private final byte[] bytes;

  private HeartbeatKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Reads and checks the key file. */
  public static HeartbeatKey read(Path file) throws FailoverConfigException {
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new FailoverConfigException(
          "heartbeat_key_file " + file + ": cannot read: " + e.getMessage(), e);
    }
    int n = raw.length;
    while (n > 0
        && (raw[n - 1] == '\n' || raw[n - 1] == '\r' || raw[n - 1] == ' ' || raw[n - 1] == '\t')) {
      n--;
    }
    if (n < MIN_LENGTH) {
      throw new FailoverConfigException(
          "heartbeat_key_file "
              + file
              + ": the key has "
              + n
              + " bytes, at least "
              + MIN_LENGTH
              + " are needed (e.g. head -c 32 /dev/urandom | base64 > "
              + file
              + ")");
    }
    return new HeartbeatKey(Arrays.copyOf(raw, n));
  }

  /** A key from bytes (tests). */
  public static HeartbeatKey of(byte[] key) {
    if (key.length < MIN_LENGTH) {
      throw new IllegalArgumentException("key shorter than " + MIN_LENGTH + " bytes");
    }
    return new HeartbeatKey(key.clone());
  }

  byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public String toString() {
    return "HeartbeatKey[" + bytes.length + " bytes]";
  }
}
