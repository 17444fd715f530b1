package io.lvspulse.announce;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A VIP as the routing daemon announces it: the address (a host route, {@code /32} or {@code /128})
 * and the name of the routing-daemon object that originates it. For BIRD that is a {@code protocol
 * static} named {@code vip_} followed by the address with every {@code .} or {@code :} turned into
 * {@code _}, e.g. {@code vip_203_0_113_10} or, for {@code 2001:db8::10} (written out in full, as
 * {@link InetAddress#getHostAddress()} does), {@code vip_2001_db8_0_0_0_0_0_10}.
 *
 * @param vip the address
 * @param protocol the routing daemon's name for its route
 */
public record VipRoute(InetAddress vip, String protocol) {
  /** The prefix of every protocol name lvs-pulse switches. */
  public static final String PREFIX = "vip_";

  public VipRoute {
    Objects.requireNonNull(vip);
    if (!protocol.matches("[A-Za-z][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a BIRD symbol name: '" + protocol + "'");
    }
  }

  /** The route of {@code vip} under lvs-pulse's naming rule. */
  public static VipRoute of(InetAddress vip) {
    String a = vip.getHostAddress();
    int scope = a.indexOf('%');
    if (scope >= 0) {
      a = a.substring(0, scope);
    }
    return new VipRoute(vip, PREFIX + a.replace('.', '_').replace(':', '_'));
  }

  /** The VIP as a literal, e.g. {@code 203.0.113.10}. */
  public String address() {
    String a = vip.getHostAddress();
    int scope = a.indexOf('%');
    return scope >= 0 ? a.substring(0, scope) : a;
  }

  /** The host prefix, e.g. {@code 203.0.113.10/32}. */
  public String prefix() {
    return address() + (vip instanceof Inet4Address ? "/32" : "/128");
  }

  @Override
  public String toString() {
    return address() + " (" + protocol + ")";
  }
}
