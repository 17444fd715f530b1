package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's order of each service's real servers, from {@code ipvsadm -L -n --nosort}.
 *
 * <p>{@code ipvsadm -S} (the save format lvs-pulse parses) always sorts real servers by address,
 * and refuses {@code --nosort} ("Illegal 'nosort' option with the 'save' command", ipvsadm 1.31);
 * the list command keeps the kernel's order. Its lines, as ipvsadm prints them with {@code -n}:
 * {@code FWM 1 mh ...}, {@code FWM 1 IPv6 mh ...}, {@code TCP 203.0.113.10:80 wlc ...}, {@code UDP
 * [2001:db8::1]:53 ...}, {@code SCTP ...}, and under each {@code -> 10.0.0.2:69 Route 1 0 0}. The
 * headings before the first service are skipped.
 */
public final class IpvsadmListOrder {
  private IpvsadmListOrder() {}

  private static final Pattern FWM = Pattern.compile("^FWM\\s+(\\d+)(\\s+IPv6)?(\\s|$)");
  private static final Pattern ADDR = Pattern.compile("^(TCP|UDP|SCTP)\\s+(\\S+)(\\s|$)");
  private static final Pattern DEST = Pattern.compile("^\\s+->\\s+(\\S+)(\\s|$)");

  /** Each service's real servers in the kernel's order. */
  public static Map<ServiceKey, List<InetSocketAddress>> parse(String text)
      throws IpvsParseException {
    Map<ServiceKey, List<InetSocketAddress>> out = new LinkedHashMap<>();
    List<InetSocketAddress> current = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      try {
        Matcher f = FWM.matcher(line);
        Matcher a = ADDR.matcher(line);
        Matcher d = DEST.matcher(line);
        if (f.find()) {
          long mark = Long.parseLong(f.group(1));
          current = new ArrayList<>();
          out.put(f.group(2) != null ? ServiceKey.fwmark6(mark) : ServiceKey.fwmark(mark), current);
        } else if (a.find()) {
          InetSocketAddress sa = IpAddresses.parseSocketAddress(a.group(2));
          current = new ArrayList<>();
          ServiceKey k =
              switch (a.group(1)) {
                case "TCP" -> ServiceKey.tcp(sa);
                case "UDP" -> ServiceKey.udp(sa);
                default -> new ServiceKey.Address(ServiceKey.Protocol.SCTP, sa);
              };
          out.put(k, current);
        } else if (d.find() && current != null) {
          current.add(IpAddresses.parseSocketAddress(d.group(1)));
        }
      } catch (IllegalArgumentException e) {
        throw new IpvsParseException(
            i + 1, line, Objects.requireNonNullElse(e.getMessage(), e.toString()));
      }
    }
    return out;
  }

  /**
   * {@code table} with the real servers of every service whose list order matters in the order
   * {@code order} gives (the others as they are).
   *
   * @throws IpvsParseException when the two disagree on a service's real servers (the table changed
   *     between the two reads): the caller reads again
   */
  public static IpvsTable apply(IpvsTable table, Map<ServiceKey, List<InetSocketAddress>> order)
      throws IpvsParseException {
    IpvsTable.Builder b = IpvsTable.builder();
    for (IpvsTable.Entry e : table.entries()) {
      ServiceKey key = e.service().key();
      b.service(e.service());
      if (!e.service().listOrderMatters()) {
        e.destinations().values().forEach(d -> b.destination(key, d));
        continue;
      }
      List<InetSocketAddress> o = order.get(key);
      if (o == null
          || o.size() != e.destinations().size()
          || !new HashSet<>(o).equals(Set.copyOf(e.destinations().keySet()))) {
        throw new IpvsParseException(
            0,
            key.display(),
            "ipvsadm -L -n --nosort and -S -n disagree on the real servers of "
                + key.display()
                + " (the table changed between the two reads)");
      }
      for (InetSocketAddress a : o) {
        b.destination(
            key, Objects.requireNonNull(e.destinations().get(a))); // same set: checked above
      }
    }
    return b.build();
  }
}
