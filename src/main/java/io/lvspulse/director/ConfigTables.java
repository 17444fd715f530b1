package io.lvspulse.director;

import io.lvspulse.config.Network;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.ForwardingMethod;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.net.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Maps lvs.cf virtual services and real servers to IPVS services and destinations, with exactly the
 * arguments Piranha's lvsd and nanny pass to ipvsadm (docs/reference/piranha-behaviour.md §2.6):
 * {@code -f MARK} for a fwmark service, otherwise {@code -t|-u VIP:PORT}; {@code -s SCHED}; {@code
 * -p N} only when persistent; {@code -M MASK} only with persistence and a mask other than all-ones;
 * real servers as {@code -r RIP:RPORT} with the forwarding flag of the global {@code network}.
 *
 * <p>One deliberate difference ({@link #destinationAddress}): a real server of a firewall-mark
 * service with direct routing or tunnelling is {@code -r RIP:0}, not {@code RIP:RPORT}. These
 * methods never rewrite the destination port, so the port only names the destination; and the
 * kernel's sync daemon binds a synced connection or persistence template of a fwmark service with
 * such forwarding to the destination with port 0 ({@code ip_vs_find_dest}), so with {@code
 * RIP:RPORT} a backup director leaves every synced template unbound and drops it at takeover
 * (docs/ipvs.md#firewall-mark-real-servers-have-port-0).
 */
public final class ConfigTables {
  private ConfigTables() {}

  /**
   * Whether {@code v} is an IPVS service: it has a fwmark or an {@code address} (a virtual with
   * neither is parsed but has no key).
   */
  public static boolean inIpvs(VirtualService v) {
    return v.isFwmark() || v.vip().isPresent();
  }

  /** The IPVS key of a virtual service, which must be {@linkplain #inIpvs in IPVS}. */
  public static ServiceKey key(VirtualService v) {
    if (v.isFwmark()) {
      // IPVS keys a fwmark service by mark and family: the VIP's family decides -6.
      boolean v6 = v.vip().map(Addresses::ipv6).orElse(false);
      return v6
          ? ServiceKey.fwmark6(Integer.toUnsignedLong(v.fwmark()))
          : ServiceKey.fwmark(Integer.toUnsignedLong(v.fwmark()));
    }
    InetAddress vip =
        v.vip()
            .orElseThrow(
                () -> new IllegalArgumentException("virtual " + v.name() + " has no address"));
    InetSocketAddress sa = new InetSocketAddress(vip, v.port());
    return switch (v.protocol()) {
      case TCP -> ServiceKey.tcp(sa);
      case UDP -> ServiceKey.udp(sa);
    };
  }

  /** The IPVS service settings of a virtual service. */
  public static IpvsService service(VirtualService v) {
    IpvsService s = IpvsService.of(key(v), v.scheduler().keyword());
    if (s.listOrderMatters()) {
      // mh: re-hash the clients of a quiesced server the same way on every director.
      s = s.withSchedulerFlags(v.mhPort() ? "mh-fallback,mh-port" : "mh-fallback");
    }
    if (v.persistentSeconds() > 0) {
      s = s.withPersistence(Duration.ofSeconds(v.persistentSeconds()));
      Optional<InetAddress> mask = v.pmask();
      if (mask.isPresent()) {
        // ipvsadm -M: a dotted netmask for IPv4, a prefix length for IPv6 (-M 64)
        s =
            s.withPersistenceMask(
                Addresses.ipv6(mask.get())
                    ? Integer.toString(Addresses.prefixLength(mask.get()))
                    : mask.get().getHostAddress());
      }
    }
    return s;
  }

  /**
   * The forwarding method of the global {@code network} keyword: the one place lvs.cf's {@code
   * direct}/{@code nat}/{@code tunnel} meet ipvsadm's {@code -g}/{@code -m}/{@code -i}.
   */
  public static ForwardingMethod forwarding(Network network) {
    return switch (network) {
      case DIRECT -> ForwardingMethod.ROUTE;
      case NAT -> ForwardingMethod.MASQ;
      case TUNNEL -> ForwardingMethod.TUNNEL;
    };
  }

  /**
   * The address of real server {@code rs} of virtual service {@code v} in IPVS, the one place that
   * decides it: {@code RIP:0} for a firewall-mark service with direct routing or tunnelling (the
   * kernel does not use the port there, and its sync daemon binds synced entries of such a service
   * to port 0 only), {@code RIP:RPORT} otherwise (NAT rewrites to that port; a {@code -t}/{@code
   * -u} service is Piranha's). Everything that looks a configured server up in a kernel or desired
   * table goes through here; /status, metrics and the admin commands keep naming the server by its
   * lvs.cf address and port.
   */
  public static InetSocketAddress destinationAddress(
      VirtualService v, InetAddress address, int port, Network network) {
    boolean portless = v.isFwmark() && forwarding(network) != ForwardingMethod.MASQ;
    return new InetSocketAddress(address, portless ? 0 : port);
  }

  /** {@link #destinationAddress(VirtualService, InetAddress, int, Network)} of a real server. */
  public static InetSocketAddress destinationAddress(
      VirtualService v, RealServer rs, Network network) {
    return destinationAddress(v, rs.address(), rs.port(), network);
  }

  /** The IPVS destination of real server {@code rs} of {@code v} with weight {@code weight}. */
  public static IpvsDestination destination(
      VirtualService v, RealServer rs, Network network, int weight) {
    return new IpvsDestination(destinationAddress(v, rs, network), forwarding(network), weight);
  }

  /**
   * The sorry server's destination: weight 1, on the virtual's port (Piranha intends {@code
   * bringUpDev(sorry, weight 1)}; its call is broken, docs/reference/piranha-behaviour.md §2.8),
   * port 0 under the same rule as a real server's.
   */
  public static IpvsDestination sorryDestination(
      VirtualService v, InetAddress sorry, Network network) {
    return new IpvsDestination(
        destinationAddress(v, sorry, v.port(), network), forwarding(network), 1);
  }
}
