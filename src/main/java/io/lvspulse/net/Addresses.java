package io.lvspulse.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The one way lvs-pulse prints an address: IPv4 as a dotted quad, IPv6 in the canonical text form
 * of RFC 5952 (lower case, no leading zeros, the longest run of two or more zero groups, the first
 * of equally long runs, as {@code ::}), without a zone. {@link InetAddress#getHostAddress()} writes
 * IPv6 in full ({@code 2001:db8:0:0:0:0:0:10}) with its zone; ipvsadm, iproute2, nft and the kernel
 * write the canonical form, so logs, {@code /status}, metrics labels and commands use this.
 */
public final class Addresses {
  private Addresses() {}

  /** {@code 203.0.113.10} or {@code 2001:db8::10}. */
  public static String canonical(InetAddress a) {
    if (a instanceof Inet4Address) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] w = new int[8];
    for (int i = 0; i < 8; i++) {
      w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1; // a single zero group is never compressed (RFC 5952 section 4.2.2)
    for (int i = 0; i < 8; ) {
      if (w[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(w[i]));
    }
    return sb.toString();
  }

  /**
   * {@code 10.0.0.2:69} or {@code [2001:db8::10]:69} (RFC 5952 section 6); an unresolved address as
   * {@code HOST:PORT}.
   */
  public static String canonical(InetSocketAddress s) {
    InetAddress a = s.getAddress();
    if (a == null) {
      return s.getHostString() + ":" + s.getPort();
    }
    return bracketed(a) + ":" + s.getPort();
  }

  /** {@code 10.0.0.2} or {@code [2001:db8::10]}: the host part of a URL or an address:port. */
  public static String bracketed(InetAddress a) {
    return a instanceof Inet6Address ? "[" + canonical(a) + "]" : canonical(a);
  }

  /** {@code 203.0.113.10/32} or {@code 2001:db8::10/128}. */
  public static String cidr(InetAddress a, int prefixLength) {
    return canonical(a) + "/" + prefixLength;
  }

  /** True for an IPv6 address. */
  public static boolean ipv6(InetAddress a) {
    return a instanceof Inet6Address;
  }

  /** {@code IPv4} or {@code IPv6}, for messages. */
  public static String family(InetAddress a) {
    return ipv6(a) ? "IPv6" : "IPv4";
  }

  /** The host prefix of the address's family: 32 or 128. */
  public static int hostPrefix(InetAddress a) {
    return ipv6(a) ? 128 : 32;
  }

  /** True when every bit is zero ({@code 0.0.0.0}, {@code ::}). */
  public static boolean isUnspecified(InetAddress a) {
    for (byte x : a.getAddress()) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The prefix length of a contiguous netmask of either family ({@code 255.255.255.0} → 24, {@code
   * ffff:ffff:ffff:ffff::} → 64); -1 when its one bits are not contiguous.
   */
  public static int prefixLength(InetAddress mask) {
    byte[] b = mask.getAddress();
    int len = 0;
    int i = 0;
    while (i < b.length && b[i] == (byte) 0xff) {
      len += 8;
      i++;
    }
    if (i < b.length) {
      int x = b[i] & 0xff;
      int ones = Integer.numberOfLeadingZeros(~x << 24);
      if (((x << ones) & 0xff) != 0) {
        return -1;
      }
      len += ones;
      for (i++; i < b.length; i++) {
        if (b[i] != 0) {
          return -1;
        }
      }
    }
    return len;
  }

  /** The netmask of {@code prefixLength} bits in the family of {@code family}. */
  public static InetAddress netmask(int prefixLength, boolean ipv6) {
    int bytes = ipv6 ? 16 : 4;
    if (prefixLength < 0 || prefixLength > bytes * 8) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
    }
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      int bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
      b[i] = (byte) (0xff00 >>> bits);
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e); // 4 or 16 bytes
    }
  }
}
