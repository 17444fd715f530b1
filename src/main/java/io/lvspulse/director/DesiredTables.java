package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Network;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerView;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * Builds the desired IPVS table of a config, in one loop for both of its uses: the table the config
 * asks for when every server is healthy ({@link #allHealthy}, for {@code plan} and the sysctl
 * check), and the table the running director programs from the monitor's server states ({@link
 * #build}):
 *
 * <ul>
 *   <li>every active virtual service with an address (or a fwmark) is a service, even with no
 *       healthy server (Piranha's lvsd adds it at start);
 *   <li>a server that is UP is a destination at its (ramping) weight; a quiesced DOWN server stays
 *       at weight 0; a server draining after a reload stays at weight 0 (under its old service if
 *       that service is gone from the config) until its drain time ends;
 *   <li>the operator's admin state ({@link io.lvspulse.monitor.Admin}) applies on top of health: a
 *       server in {@code drain} stays where health puts it at weight 0; one in {@code maintenance}
 *       too until it is drained, then it is out;
 *   <li>the {@code sorry_server} is added at weight 1 when no real server of its virtual service is
 *       UP and enabled, once every server has been probed at least once (or one probe interval has
 *       passed since start), and is removed as soon as one is UP and enabled again.
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

  /** Adds the destinations of one virtual service, whose service is already in the table. */
  @FunctionalInterface
  private interface Destinations {
    void add(VirtualService v, ServiceKey key, IpvsTable.Builder table);
  }

  /**
   * The table the config asks for when every active real server of every active virtual service is
   * healthy, each at the weight {@code weightOf} gives (the configured weight for {@code plan}).
   */
  public static IpvsTable allHealthy(LvsConfig config, ToIntFunction<RealServer> weightOf) {
    Network network = config.global().network();
    return services(
            config,
            (v, key, b) -> {
              for (RealServer rs : v.activeServers()) {
                b.destination(
                    key, ConfigTables.destination(v, rs, network, weightOf.applyAsInt(rs)));
              }
            })
        .build();
  }

  /** The table for the monitor's snapshot {@code s}, and the virtuals on their sorry server. */
  public static Desired build(MonitorSnapshot s) {
    LvsConfig cfg = s.config();
    if (cfg.global().ecmp().ecmp()) {
      return new Desired(EcmpTables.build(s), List.of()); // ECMP mode's own policy, no sorry server
    }
    Network network = cfg.global().network();
    Map<String, List<ServerView>> byVirtual = new LinkedHashMap<>();
    for (ServerView v : s.servers()) {
      byVirtual.computeIfAbsent(v.id().virtual(), k -> new ArrayList<>()).add(v);
    }
    List<String> sorry = new ArrayList<>();
    List<ServiceKey> added = new ArrayList<>();
    IpvsTable.Builder b =
        services(
            cfg,
            (v, key, table) -> {
              added.add(key);
              boolean anyUp = false;
              boolean allProbed = true;
              for (ServerView sv : byVirtual.getOrDefault(v.name(), List.of())) {
                if (sv.draining()) {
                  continue;
                }
                anyUp |= sv.health() == Health.UP && sv.admin().takesNewClients();
                allProbed &= sv.lastResult().isPresent();
                if (sv.effectiveInIpvs()) {
                  table.destination(
                      key, ConfigTables.destination(v, sv.server(), network, sv.effectiveWeight()));
                }
              }
              Optional<InetAddress> sorryAddr = v.sorryServer();
              boolean roundDone =
                  allProbed || !s.at().isBefore(s.startedAt().plus(v.probeInterval()));
              if (sorryAddr.isPresent() && !anyUp && roundDone) {
                table.destination(key, ConfigTables.sorryDestination(v, sorryAddr.get(), network));
                sorry.add(v.name());
              }
            });
    // Draining servers last: under their current service, or their old one if it left the config.
    for (ServerView sv : s.servers()) {
      if (!sv.draining() || !ConfigTables.inIpvs(sv.virtual())) {
        continue;
      }
      IpvsService svc = ConfigTables.service(sv.virtual());
      if (!added.contains(svc.key())) {
        b.service(svc);
        added.add(svc.key());
      }
      // with the forwarding it has in IPVS (its old config's), never the new file's default; not
      // when a configured server is the same kernel destination (a reload that only changed a
      // fwmark direct-routing server's port: both are RIP:0), which wins
      IpvsDestination d =
          ConfigTables.destination(sv.virtual(), sv.server(), sv.drainNetwork().orElse(network), 0);
      String exists = b.applyInListOrder(new IpvsCommand.AddDestination(svc.key(), d));
      if (exists != null && !exists.equals(IpvsTable.DESTINATION_EXISTS)) {
        throw new IllegalStateException(exists + ": " + svc.key() + " " + d);
      }
    }
    return new Desired(b.build(), sorry);
  }

  /** Every active virtual service in IPVS as a service, in file order, with its destinations. */
  private static IpvsTable.Builder services(LvsConfig config, Destinations destinations) {
    IpvsTable.Builder b = IpvsTable.builder();
    for (VirtualService v : config.activeVirtuals()) {
      if (!ConfigTables.inIpvs(v)) {
        continue;
      }
      IpvsService svc = ConfigTables.service(v);
      b.service(svc);
      destinations.add(v, svc.key(), b);
    }
    return b;
  }
}
