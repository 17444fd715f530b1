package io.lvspulse.ipvs;

import io.lvspulse.net.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Strict IP literal parsing and formatting in ipvsadm's notation ({@code 10.0.0.2:69}, {@code
 * [2001:db8::10]:443}). Never resolves names: anything that is not a literal is rejected.
 */
public final class IpAddresses {
  private static final Pattern V4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]+");

  private IpAddresses() {}

  /** Parses an IPv4 dotted quad or an IPv6 literal (without brackets). */
  public static InetAddress parseAddress(String text) {
    try {
      if (V4.matcher(text).matches()) {
        return InetAddress.getByName(text);
      }
      if (text.contains(":") && V6.matcher(text).matches()) {
        InetAddress a = InetAddress.getByName(text);
        if (a instanceof Inet6Address) {
          return a;
        }
      }
    } catch (UnknownHostException e) {
      // fall through: not a literal
    }
    throw new IllegalArgumentException("not an IP address literal: '" + text + "'");
  }

  /** Parses {@code A.B.C.D:PORT} or {@code [V6]:PORT}; the port is required (0..65535). */
  public static InetSocketAddress parseSocketAddress(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("expected [IPv6]:PORT: '" + text + "'");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!host.contains(":")) {
        throw new IllegalArgumentException("brackets are only for IPv6: '" + text + "'");
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0 || text.indexOf(':') != colon) {
        throw new IllegalArgumentException("expected IPv4:PORT or [IPv6]:PORT: '" + text + "'");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    return new InetSocketAddress(parseAddress(host), parsePort(port, text));
  }

  private static int parsePort(String s, String whole) {
    if (!s.matches("\\d{1,5}") || Integer.parseInt(s) > 65535) {
      throw new IllegalArgumentException("bad port in '" + whole + "'");
    }
    return Integer.parseInt(s);
  }

  /** The address as ipvsadm prints it: dotted quad, or compressed IPv6 (RFC 5952). */
  public static String format(InetAddress a) {
    return Addresses.canonical(a);
  }

  /** {@code 10.0.0.2:69} or {@code [2001:db8::10]:443}. */
  public static String format(InetSocketAddress s) {
    InetAddress a = s.getAddress();
    if (a == null) {
      throw new IllegalArgumentException("unresolved address: " + s);
    }
    String host = format(a);
    return (a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + s.getPort();
  }

  /** Rejects unresolved socket addresses (a hostname must never reach ipvsadm). */
  static InetSocketAddress requireLiteral(InetSocketAddress s) {
    if (s.isUnresolved() || s.getAddress() == null) {
      throw new IllegalArgumentException("address must be an IP literal: " + s);
    }
    return s;
  }
}
