package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Network;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerView;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ECMP mode's table policy ({@code director_mode = ecmp}, see docs/ecmp.md): the same table on
 * every director, so that IPVS's {@code mh} scheduler sends a client to the same real server
 * whichever director the router hands its packets to.
 *
 * <ul>
 *   <li>Every active virtual service is {@code -s mh -b mh-fallback} ({@code ,mh-port} with {@code
 *       mh_port = 1}), never persistent: {@code scheduler} and {@code persistent} are overridden.
 *   <li>Every active real server is a destination from the start, whatever its health: at its
 *       configured weight when UP, at weight 0 otherwise (unknown yet, or failed: quiesced, never
 *       deleted, whatever {@code quiesce_server} says). No slow-start ramp. A server adopted from
 *       the kernel at start (a restart) keeps its configured weight until its first probe if the
 *       kernel had it above 0. A server removed by a reload stays at weight 0 until its drain time
 *       ends.
 *   <li>Each destination carries its configured weight as its add weight, so that a server added
 *       while down still gets its real {@code last_weight} in the kernel (see {@link IpvsTable}).
 *   <li>Destinations are in the {@linkplain #CANONICAL canonical order}.
 *   <li>No sorry server: a director with too few servers up withdraws the VIP instead.
 * </ul>
 */
public final class EcmpTables {
  private EcmpTables() {}

  /**
   * The canonical order of a service's real servers in the kernel's list (head first): IPv4 before
   * IPv6, then the address as an unsigned number, then the port. It depends on the config's set of
   * servers only, never on file order or on which server came up first, so every director has the
   * same list; and {@code ipvsadm -L -n --nosort} then prints it in ipvsadm's own sorted order.
   */
  public static final Comparator<InetSocketAddress> CANONICAL =
      Comparator.<InetSocketAddress>comparingInt(
              a -> a.getAddress() instanceof Inet4Address ? 0 : 1)
          .thenComparing(a -> a.getAddress().getAddress(), EcmpTables::compareUnsigned)
          .thenComparingInt(InetSocketAddress::getPort);

  private static int compareUnsigned(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b);
  }

  /** The IPVS service of a virtual service in ECMP mode. */
  public static IpvsService service(VirtualService v) {
    return IpvsService.of(ConfigTables.key(v), "mh")
        .withSchedulerFlags(v.mhPort() ? "mh-fallback,mh-port" : "mh-fallback");
  }

  private record Dest(IpvsDestination destination, int addWeight) {}

  /** The desired table for the monitor's snapshot. */
  public static IpvsTable build(MonitorSnapshot s) {
    LvsConfig cfg = s.config();
    Network network = cfg.global().network();
    Map<ServiceKey, IpvsService> services = new LinkedHashMap<>();
    Map<ServiceKey, List<Dest>> dests = new LinkedHashMap<>();
    for (VirtualService v : cfg.activeVirtuals()) {
      if (v.isFwmark() || v.vip().isPresent()) {
        IpvsService svc = service(v);
        services.put(svc.key(), svc);
        dests.put(svc.key(), new ArrayList<>());
      }
    }
    for (ServerView sv : s.servers()) {
      VirtualService v = sv.virtual();
      if (!v.isFwmark() && v.vip().isEmpty()) {
        continue;
      }
      IpvsService svc = service(v);
      services.putIfAbsent(svc.key(), svc); // a draining server's service that left the config
      List<Dest> list = dests.computeIfAbsent(svc.key(), k -> new ArrayList<>());
      RealServer rs = sv.server();
      // UP (whatever its slow-start ramp says), or adopted from the kernel at a non-zero weight
      // (a restart, until its first probe): the configured weight; anything else: 0.
      int weight = !sv.draining() && sv.inIpvs() && sv.weight() > 0 ? rs.weight() : 0;
      // a draining server keeps the forwarding it has in IPVS (its old config's)
      Dest d =
          new Dest(
              ConfigTables.destination(v, rs, sv.drainNetwork().orElse(network), weight),
              rs.weight());
      // a reload that only changed a fwmark direct-routing server's port: the old (draining) and
      // the new server are one kernel destination (RIP:0), the configured one wins
      java.util.function.Predicate<Dest> same =
          o -> o.destination().address().equals(d.destination().address());
      if (!sv.draining()) {
        list.removeIf(same);
        list.add(d);
      } else if (list.stream().noneMatch(same)) {
        list.add(d);
      }
    }
    IpvsTable.Builder b = IpvsTable.builder();
    for (Map.Entry<ServiceKey, IpvsService> e : services.entrySet()) {
      b.service(e.getValue());
      List<Dest> list = new ArrayList<>(dests.get(e.getKey()));
      list.sort(Comparator.comparing(d -> d.destination().address(), CANONICAL));
      for (Dest d : list) {
        b.destination(e.getKey(), d.destination(), d.addWeight());
      }
    }
    return b.build();
  }

  /** The table the config asks for when every active real server is up (for {@code plan}). */
  public static IpvsTable allHealthy(LvsConfig config) {
    Network network = config.global().network();
    IpvsTable.Builder b = IpvsTable.builder();
    for (VirtualService v : config.activeVirtuals()) {
      if (!v.isFwmark() && v.vip().isEmpty()) {
        continue;
      }
      IpvsService svc = service(v);
      b.service(svc);
      List<RealServer> servers = new ArrayList<>(v.activeServers());
      servers.sort(Comparator.comparing(RealServer::socketAddress, CANONICAL));
      for (RealServer rs : servers) {
        b.destination(
            svc.key(), ConfigTables.destination(v, rs, network, rs.weight()), rs.weight());
      }
    }
    return b.build();
  }

  /**
   * How one VIP's real servers stand, for the announce policy.
   *
   * @param firstRoundDone every active real server of every virtual service of the VIP has been
   *     probed at least once
   * @param serversUp real servers up in the VIP's weakest virtual service
   * @param servers active real servers of that virtual service
   */
  public record VipServers(boolean firstRoundDone, int serversUp, int servers) {}

  /** Each VIP of the active virtual services, with its real servers' standing. */
  public static Map<InetAddress, VipServers> vipServers(MonitorSnapshot s) {
    Map<String, int[]> byVirtual = new LinkedHashMap<>(); // name -> {up, total, unprobed}
    for (ServerView sv : s.servers()) {
      if (sv.draining()) {
        continue;
      }
      int[] c = byVirtual.computeIfAbsent(sv.id().virtual(), k -> new int[3]);
      c[0] += sv.health() == Health.UP ? 1 : 0;
      c[1]++;
      c[2] += sv.lastResult().isEmpty() ? 1 : 0;
    }
    Map<InetAddress, VipServers> out = new LinkedHashMap<>();
    for (VirtualService v : s.config().activeVirtuals()) {
      if (v.vip().isEmpty()) {
        continue;
      }
      int[] c = byVirtual.getOrDefault(v.name(), new int[3]);
      VipServers mine = new VipServers(c[2] == 0, c[0], c[1]);
      out.merge(
          v.vip().get(),
          mine,
          (a, b) ->
              new VipServers(
                  a.firstRoundDone() && b.firstRoundDone(),
                  Math.min(a.serversUp(), b.serversUp()),
                  a.serversUp() <= b.serversUp() ? a.servers() : b.servers()));
    }
    return out;
  }
}
