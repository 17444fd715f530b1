package io.lvspulse.failover;

import io.lvspulse.config.GlobalSettings;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.NatRouter;
import io.lvspulse.config.Network;
import io.lvspulse.config.VirtualAddress;
import io.lvspulse.config.VirtualService;
import io.lvspulse.net.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One address the active director holds: a VIP or the NAT router address.
 *
 * @param address the address
 * @param prefixLength from {@code vip_nmask} / {@code nat_nmask}; /32 (/128) when not given
 * @param device the configured device, e.g. {@code eth0:1} (used as the address label when it has a
 *     {@code :N} alias)
 * @param source e.g. {@code virtual tftp} or {@code nat_router}
 */
public record Vip(InetAddress address, int prefixLength, String device, String source) {
  private static final Logger log = LoggerFactory.getLogger(Vip.class);

  public Vip {
    Objects.requireNonNull(address);
    Objects.requireNonNull(device);
    Objects.requireNonNull(source);
    int max = address instanceof Inet4Address ? 32 : 128;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException(
          "prefix /" + prefixLength + " for " + Addresses.canonical(address));
    }
  }

  /** The interface: the device without its {@code :N} alias ({@code eth0:1} → {@code eth0}). */
  public String interfaceName() {
    return VirtualAddress.interfaceName(device);
  }

  /**
   * The label for {@code ip addr add ... label}: the configured device when it has an alias, else
   * none.
   */
  public Optional<String> label() {
    return device.indexOf(':') < 0 ? Optional.empty() : Optional.of(device);
  }

  /** {@code VIP/PREFIX}. */
  public String cidr() {
    return Addresses.cidr(address, prefixLength);
  }

  /** IPv4 (gratuitous ARP applies; an IPv6 VIP is announced by a neighbour advertisement). */
  public boolean ipv4() {
    return address instanceof Inet4Address;
  }

  /**
   * Every distinct address the active director must hold, in file order: the VIP of each active
   * virtual service, then the NAT router address when {@code network = nat} (pulse's {@code
   * sendLvsArps}). A VIP listed by several virtuals is brought up once, with the first one's device
   * and netmask (a conflicting later one is logged).
   */
  public static List<Vip> of(LvsConfig config) {
    Map<InetAddress, Vip> out = new LinkedHashMap<>();
    for (VirtualService v : config.activeVirtuals()) {
      if (v.address().isEmpty()) {
        continue;
      }
      InetAddress a = v.address().get().address();
      Vip vip =
          new Vip(a, prefix(a, v.vipNetmask()), v.address().get().device(), "virtual " + v.name());
      Vip first = out.putIfAbsent(a, vip);
      if (first != null
          && (first.prefixLength() != vip.prefixLength() || !first.device().equals(vip.device()))) {
        log.warn(
            "VIP {} of {} is also in {} with another device or netmask: using {} dev {}",
            Addresses.canonical(a),
            vip.source(),
            first.source(),
            first.cidr(),
            first.device());
      }
    }
    GlobalSettings g = config.global();
    if (g.network() == Network.NAT && g.natRouter().isPresent()) {
      NatRouter nr = g.natRouter().get();
      out.putIfAbsent(
          nr.address(),
          new Vip(nr.address(), prefix(nr.address(), g.natNetmask()), nr.device(), "nat_router"));
    }
    return List.copyOf(new ArrayList<>(out.values()));
  }

  /**
   * The prefix length of {@code netmask}; the host prefix (/32, /128) when absent, 0.0.0.0, of the
   * other family or not contiguous.
   */
  static int prefix(InetAddress address, Optional<InetAddress> netmask) {
    int max = Addresses.hostPrefix(address);
    if (netmask.isEmpty()
        || Addresses.ipv6(netmask.get()) != Addresses.ipv6(address)
        || Addresses.isUnspecified(netmask.get())) {
      return max;
    }
    int len = Addresses.prefixLength(netmask.get());
    if (len < 0) {
      log.warn(
          "netmask {} of {} is not contiguous: using /{}",
          Addresses.canonical(netmask.get()),
          Addresses.canonical(address),
          max);
      return max;
    }
    return len;
  }
}
