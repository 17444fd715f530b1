package io.lvspulse.daemon;

import io.lvspulse.announce.VipRoute;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.VirtualService;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The VIPs an ECMP director announces, and the BIRD protocols that carry them. */
public final class EcmpVips {
  private EcmpVips() {}

  /** Every distinct VIP of the active virtual services, in file order. */
  public static List<VipRoute> routes(LvsConfig config) {
    Set<InetAddress> vips = new LinkedHashSet<>();
    for (VirtualService v : config.activeVirtuals()) {
      v.vip().ifPresent(vips::add);
    }
    List<VipRoute> out = new ArrayList<>();
    for (InetAddress a : vips) {
      out.add(VipRoute.of(a));
    }
    return out;
  }

  /**
   * The {@code protocol static} blocks for bird.conf: one per VIP, {@code disabled} so that a BIRD
   * (re)start announces nothing until lvs-pulse enables it.
   */
  public static String birdStatics(LvsConfig config, String source) {
    StringBuilder sb = new StringBuilder();
    sb.append("# lvs-pulse ECMP: one protocol static per VIP of ")
        .append(source)
        .append(
            ".\n# Declared disabled: lvs-pulse enables a VIP when this director can serve it.\n");
    for (VipRoute r : routes(config)) {
      boolean v4 = r.vip() instanceof Inet4Address;
      sb.append("protocol static ")
          .append(r.protocol())
          .append(" {\n  disabled;\n  ")
          .append(v4 ? "ipv4" : "ipv6")
          .append(";\n  route ")
          .append(r.prefix())
          .append(" blackhole;\n}\n");
    }
    return sb.toString();
  }
}
