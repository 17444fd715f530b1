package io.lvspulse.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * C library number and address parsing as Piranha uses it: {@code strtol(s, &end, 0)} and {@code
 * inet_aton}.
 */
final class CNumbers {
  private CNumbers() {}

  /**
   * Outcome of {@link #strtol}: a value or an error text; {@code octal} when a leading 0 made it
   * octal.
   */
  record Parsed(long value, boolean octal, @Nullable String error) {}

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /**
   * {@code strtol(s, &end, 0)} requiring {@code *end == 0}: optional sign, {@code 0x} hex, leading
   * {@code 0} octal, else decimal; no blanks, no trailing characters. Out-of-long-range is an
   * error.
   */
  static Parsed strtol(String s) {
    if (s.isEmpty()) {
      return new Parsed(0, false, "an empty value is not a number");
    }
    int i = 0;
    boolean neg = false;
    if (s.charAt(0) == '+' || s.charAt(0) == '-') {
      neg = s.charAt(0) == '-';
      i = 1;
    }
    int base = 10;
    boolean octal = false;
    if (s.length() > i + 2
        && s.charAt(i) == '0'
        && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
        && Character.digit(s.charAt(i + 2), 16) >= 0) {
      base = 16;
      i += 2;
    } else if (s.length() > i + 1 && s.charAt(i) == '0') {
      base = 8;
      octal = true;
      i += 1;
    }
    if (i >= s.length()) {
      return new Parsed(0, false, "'" + Report.show(s) + "' is not a number");
    }
    for (int j = i; j < s.length(); j++) {
      char c = s.charAt(j);
      if (c > 127 || Character.digit(c, base) < 0) {
        if (base == 8 && (c == '8' || c == '9') && allDecimal(s, i)) {
          return new Parsed(
              0,
              true,
              "'"
                  + Report.show(s)
                  + "' starts with 0, which makes it octal, and "
                  + c
                  + " is not an octal digit");
        }
        return new Parsed(0, false, "'" + Report.show(s) + "' is not a number");
      }
    }
    BigInteger v = new BigInteger(s.substring(i), base);
    if (neg) {
      v = v.negate();
    }
    if (v.compareTo(LONG_MIN) < 0 || v.compareTo(LONG_MAX) > 0) {
      return new Parsed(0, octal, "'" + Report.show(s) + "' is out of range");
    }
    return new Parsed(v.longValue(), octal, null);
  }

  private static boolean allDecimal(String s, int from) {
    for (int j = from; j < s.length(); j++) {
      if (s.charAt(j) < '0' || s.charAt(j) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code inet_aton}: {@code a.b.c.d}, {@code a.b.c} (c is 16 bits), {@code a.b} (b is 24 bits) or
   * {@code a} (32 bits), each part decimal, {@code 0x} hex or leading-0 octal. Null if invalid.
   */
  static @Nullable InetAddress inetAton(String s) {
    if (s.isEmpty() || s.endsWith(".") || s.startsWith(".") || s.contains("..")) {
      return null;
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length > 4) {
      return null;
    }
    long[] v = new long[parts.length];
    for (int k = 0; k < parts.length; k++) {
      String p = parts[k];
      if (p.isEmpty() || p.charAt(0) == '+' || p.charAt(0) == '-') {
        return null;
      }
      Parsed r = strtol(p);
      if (r.error() != null || r.value() < 0 || r.value() > 0xffffffffL) {
        return null;
      }
      v[k] = r.value();
    }
    long addr;
    switch (parts.length) {
      case 1 -> addr = v[0];
      case 2 -> {
        if (v[0] > 255 || v[1] > 0xffffffL) {
          return null;
        }
        addr = (v[0] << 24) | v[1];
      }
      case 3 -> {
        if (v[0] > 255 || v[1] > 255 || v[2] > 0xffffL) {
          return null;
        }
        addr = (v[0] << 24) | (v[1] << 16) | v[2];
      }
      default -> {
        if (v[0] > 255 || v[1] > 255 || v[2] > 255 || v[3] > 255) {
          return null;
        }
        addr = (v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3];
      }
    }
    byte[] b = {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      return null; // cannot happen for 4 bytes
    }
  }

  /** The address as a 32-bit unsigned value. */
  static long toLong(InetAddress a) {
    byte[] b = a.getAddress();
    long v = 0;
    for (byte x : b) {
      v = (v << 8) | (x & 0xff);
    }
    return v;
  }

  /** True if the 32-bit mask is a run of ones followed by zeros (0.0.0.0 included). */
  static boolean contiguous(InetAddress mask) {
    long m = toLong(mask);
    long inv = (~m) & 0xffffffffL;
    return (inv & (inv + 1)) == 0;
  }
}
