package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Parses the connection counters out of {@code ipvsadm -L -n}:
 *
 * <pre>
 * IP Virtual Server version 1.2.1 (size=4096)
 * Prot LocalAddress:Port Scheduler Flags
 *   -&gt; RemoteAddress:Port           Forward Weight ActiveConn InActConn
 * FWM  1 wlc persistent 45
 *   -&gt; 10.0.0.2:69                  Route   1      0          3
 * UDP  203.0.113.10:53 rr
 *   -&gt; [2001:db8::2]:53             Masq    1      0          0
 * </pre>
 *
 * A fwmark service of IPv6 reads {@code FWM 1 IPv6 wlc}. Only keys and counters are read; the table
 * itself comes from {@code ipvsadm -S -n} ({@link IpvsadmSaveParser}).
 */
public final class IpvsadmListParser {
  private IpvsadmListParser() {}

  /** The counters of every destination in {@code text}. */
  public static IpvsConnections parse(String text) throws IpvsParseException {
    Map<ServiceKey, Map<InetSocketAddress, IpvsConnections.Counts>> out = new LinkedHashMap<>();
    Map<InetSocketAddress, IpvsConnections.Counts> current = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String s = line.strip();
      if (ProcNetIpVsParser.isHeader(s)) {
        continue;
      }
      String[] f = s.split("\\s+");
      try {
        if (f[0].equals("->")) {
          if (current == null) {
            throw new IllegalArgumentException("real server before any service");
          }
          if (f.length < 6) {
            throw new IllegalArgumentException(
                "expected '-> ADDR:PORT Forward Weight ActiveConn InActConn'");
          }
          current.put(
              IpAddresses.parseSocketAddress(f[1]),
              new IpvsConnections.Counts(Long.parseLong(f[4]), Long.parseLong(f[5])));
        } else {
          current = new LinkedHashMap<>();
          out.put(key(f), current);
        }
      } catch (IllegalArgumentException e) {
        throw new IpvsParseException(
            i + 1, line, Objects.requireNonNullElse(e.getMessage(), e.toString()));
      }
    }
    return new IpvsConnections(out);
  }

  private static ServiceKey key(String[] f) {
    if (f.length < 3) {
      throw new IllegalArgumentException("expected 'PROT ADDRESS SCHEDULER'");
    }
    return switch (f[0]) {
      case "FWM" -> new ServiceKey.Fwmark(Long.parseLong(f[1]), f[2].equals("IPv6"));
      case "TCP" -> ServiceKey.tcp(IpAddresses.parseSocketAddress(f[1]));
      case "UDP" -> ServiceKey.udp(IpAddresses.parseSocketAddress(f[1]));
      case "SCTP" ->
          new ServiceKey.Address(ServiceKey.Protocol.SCTP, IpAddresses.parseSocketAddress(f[1]));
      default -> throw new IllegalArgumentException("unknown protocol '" + f[0] + "'");
    };
  }
}
