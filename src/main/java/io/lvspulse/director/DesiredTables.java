package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Network;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerView;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the desired IPVS table from the running config and the monitor's server states:
 *
 * <ul>
 *   <li>every active virtual service with an address (or a fwmark) is a service, even with no
 *       healthy server (Piranha's lvsd adds it at start);
 *   <li>a server that is UP is a destination at its (ramping) weight; a quiesced DOWN server stays
 *       at weight 0; a server draining after a reload stays at weight 0 (under its old service if
 *       that service is gone from the config) until its drain time ends;
 *   <li>the {@code sorry_server} is added at weight 1 when no real server of its virtual service is
 *       UP, once every server has been probed at least once (or one probe interval has passed since
 *       start), and is removed as soon as one is UP again.
 * </ul>
 */
public final class DesiredTables {
  private DesiredTables() {}

  /** The desired table and which virtual services are on their sorry server. */
  public record Desired(IpvsTable table, List<String> onSorryServer) {
    public Desired {
      onSorryServer = List.copyOf(onSorryServer);
    }
  }

  public static Desired build(MonitorSnapshot s) {
    LvsConfig cfg = s.config();
    Network network = cfg.global().network();
    IpvsTable.Builder b = IpvsTable.builder();
    Map<String, List<ServerView>> byVirtual = new LinkedHashMap<>();
    for (ServerView v : s.servers()) {
      byVirtual.computeIfAbsent(v.id().virtual(), k -> new ArrayList<>()).add(v);
    }
    List<String> sorry = new ArrayList<>();
    List<ServiceKey> added = new ArrayList<>();
    for (VirtualService v : cfg.activeVirtuals()) {
      if (!v.isFwmark() && v.vip().isEmpty()) {
        continue;
      }
      IpvsService svc = ConfigTables.service(v);
      b.service(svc);
      added.add(svc.key());
      List<ServerView> servers = byVirtual.getOrDefault(v.name(), List.of());
      boolean anyUp = false;
      boolean allProbed = true;
      for (ServerView sv : servers) {
        if (sv.draining()) {
          continue;
        }
        anyUp |= sv.health() == Health.UP;
        allProbed &= sv.lastResult().isPresent();
        if (sv.inIpvs()) {
          b.destination(svc.key(), ConfigTables.destination(sv.server(), network, sv.weight()));
        }
      }
      Optional<InetAddress> sorryAddr = v.sorryServer();
      boolean roundDone = allProbed || !s.at().isBefore(s.startedAt().plus(v.probeInterval()));
      if (sorryAddr.isPresent() && !anyUp && roundDone) {
        b.destination(svc.key(), ConfigTables.sorryDestination(v, sorryAddr.get(), network));
        sorry.add(v.name());
      }
    }
    // Draining servers last: under their current service, or their old one if it left the config.
    for (ServerView sv : s.servers()) {
      if (!sv.draining()) {
        continue;
      }
      VirtualService old = sv.virtual();
      if (!old.isFwmark() && old.vip().isEmpty()) {
        continue;
      }
      IpvsService svc = ConfigTables.service(old);
      if (!added.contains(svc.key())) {
        b.service(svc);
        added.add(svc.key());
      }
      b.destination(svc.key(), ConfigTables.destination(sv.server(), network, 0));
    }
    return new Desired(b.build(), sorry);
  }

  /** True if {@code at} is at or after the drain deadline of {@code v}. */
  static boolean drained(ServerView v, Instant at) {
    return v.drainUntil().map(u -> !at.isBefore(u)).orElse(true);
  }
}
