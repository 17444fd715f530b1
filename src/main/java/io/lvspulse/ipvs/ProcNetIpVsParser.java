package io.lvspulse.ipvs;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses {@code /proc/net/ip_vs}: the fallback when {@code ipvsadm -S -n} cannot be read.
 *
 * <p>Addresses and ports are hexadecimal; the persistence timeout is in kernel ticks (jiffies), so
 * the caller passes the kernel's {@code CONFIG_HZ} (100 in the UML test guest, 250 in Debian's
 * amd64 kernel, 1000 in RHEL's). A firewall-mark service line does not say its address family: it
 * is taken as IPv6 when one of its real servers is an IPv6 address, or when its mark was already
 * seen on an IPv4 line (one mark is one service per family). An IPv6 persistence mask is a prefix
 * length that the kernel prints through {@code ntohl} ({@code %08X}): 64 is {@code 40000000} on a
 * little-endian host (checked on the lab guest's 6.1 kernel), {@code 00000040} on a big-endian one.
 */
public final class ProcNetIpVsParser {
  private ProcNetIpVsParser() {}

  /**
   * Whether a stripped line of a listing ({@code /proc/net/ip_vs}, {@code ipvsadm -L -n}) is empty
   * or one of its headers.
   */
  static boolean isHeader(String stripped) {
    return stripped.isEmpty()
        || stripped.startsWith("IP Virtual Server version")
        || stripped.startsWith("Prot LocalAddress:Port")
        || stripped.startsWith("-> RemoteAddress:Port");
  }

  /** Parses the file's text. */
  public static IpvsTable parse(String text, int hz) throws IpvsParseException {
    if (hz <= 0) {
      throw new IllegalArgumentException("hz must be positive");
    }
    record Svc(int line, String text, String[] f, List<String[]> dests, List<Integer> destLines) {}
    List<Svc> svcs = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String s = line.trim();
      if (isHeader(s)) {
        continue;
      }
      String[] f = s.split("\\s+");
      if (f[0].equals("->")) {
        if (svcs.isEmpty()) {
          throw new IpvsParseException(i + 1, line, "real server before any service");
        }
        svcs.get(svcs.size() - 1).dests().add(f);
        svcs.get(svcs.size() - 1).destLines().add(i + 1);
      } else {
        svcs.add(new Svc(i + 1, line, f, new ArrayList<>(), new ArrayList<>()));
      }
    }
    IpvsTable.Builder b = IpvsTable.builder();
    java.util.Set<ServiceKey> seen = new java.util.HashSet<>();
    for (Svc svc : svcs) {
      ServiceKey key;
      try {
        boolean v6Dests = svc.dests().stream().anyMatch(d -> d.length > 1 && d[1].startsWith("["));
        key = key(svc.f(), v6Dests);
        if (key instanceof ServiceKey.Fwmark fw && !fw.ipv6() && !seen.add(key)) {
          key = ServiceKey.fwmark6(fw.mark()); // the second line of a mark is the other family
        }
        seen.add(key);
        String[] f = svc.f();
        if (f.length < 3) {
          throw new IllegalArgumentException("no scheduler");
        }
        IpvsService s = IpvsService.of(key, f[2]);
        if (f.length > 3) {
          if (!f[3].equals("persistent") || f.length != 6) {
            throw new IllegalArgumentException("expected 'persistent TICKS MASK'");
          }
          long ticks = Long.parseLong(f[4]);
          s = s.withPersistence(Duration.ofSeconds(Math.max(1, ticks / hz)));
          long m = Long.parseLong(f[5], 16);
          s =
              s.withPersistenceMask(
                  key.ipv6() ? Long.toString(prefixLength(m)) : v4(m).getHostAddress());
        }
        b.service(s);
      } catch (IllegalArgumentException e) {
        throw new IpvsParseException(
            svc.line(), svc.text(), Objects.requireNonNullElse(e.getMessage(), e.toString()));
      }
      for (int j = 0; j < svc.dests().size(); j++) {
        String[] d = svc.dests().get(j);
        try {
          if (d.length != 6) {
            throw new IllegalArgumentException(
                "expected '-> ADDR:PORT Forward Weight Active InAct'");
          }
          ForwardingMethod m =
              switch (d[2]) {
                case "Route" -> ForwardingMethod.ROUTE;
                case "Tunnel" -> ForwardingMethod.TUNNEL;
                case "Masq", "Local" -> ForwardingMethod.MASQ;
                default -> throw new IllegalArgumentException("unknown forwarding '" + d[2] + "'");
              };
          b.destination(key, new IpvsDestination(hexSocket(d[1]), m, Integer.parseInt(d[3])));
        } catch (IllegalArgumentException e) {
          throw new IpvsParseException(
              svc.destLines().get(j),
              String.join(" ", d),
              Objects.requireNonNullElse(e.getMessage(), e.toString()));
        }
      }
    }
    return b.build();
  }

  /** An IPv6 prefix length as {@code ntohl} printed it, on a host of either byte order. */
  private static long prefixLength(long printed) {
    if (printed <= 128) {
      return printed;
    }
    long swapped = Integer.toUnsignedLong(Integer.reverseBytes((int) printed));
    if (swapped > 128) {
      throw new IllegalArgumentException("bad IPv6 persistence mask " + Long.toHexString(printed));
    }
    return swapped;
  }

  private static ServiceKey key(String[] f, boolean v6Dests) {
    if (f.length < 2) {
      throw new IllegalArgumentException("expected 'PROT ADDR:PORT SCHED'");
    }
    switch (f[0]) {
      case "FWM" -> {
        return new ServiceKey.Fwmark(Long.parseLong(f[1], 16), v6Dests);
      }
      case "TCP" -> {
        return ServiceKey.tcp(hexSocket(f[1]));
      }
      case "UDP" -> {
        return ServiceKey.udp(hexSocket(f[1]));
      }
      case "SCTP" -> {
        return new ServiceKey.Address(ServiceKey.Protocol.SCTP, hexSocket(f[1]));
      }
      default -> throw new IllegalArgumentException("unknown protocol '" + f[0] + "'");
    }
  }

  private static InetSocketAddress hexSocket(String s) {
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected ADDR:PORT in hex: " + s);
    }
    String host = s.substring(0, colon);
    int port = Integer.parseInt(s.substring(colon + 1), 16);
    InetAddress a;
    if (host.startsWith("[") && host.endsWith("]")) {
      a = IpAddresses.parseAddress(host.substring(1, host.length() - 1));
      if (!(a instanceof Inet6Address)) {
        throw new IllegalArgumentException("bracketed address is not IPv6: " + s);
      }
    } else {
      if (!host.matches("[0-9A-Fa-f]{8}")) {
        throw new IllegalArgumentException("expected 8 hex digits: " + s);
      }
      a = v4(Long.parseLong(host, 16));
    }
    if (port > 65535) {
      throw new IllegalArgumentException("bad port: " + s);
    }
    return new InetSocketAddress(a, port);
  }

  private static InetAddress v4(long v) {
    byte[] b = BigInteger.valueOf(v | 0x1_0000_0000L).toByteArray();
    try {
      return InetAddress.getByAddress(
          new byte[] {b[b.length - 4], b[b.length - 3], b[b.length - 2], b[b.length - 1]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
