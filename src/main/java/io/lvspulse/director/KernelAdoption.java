package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Network;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.monitor.HealthMonitor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting director adopts from the kernel's IPVS table, so that a restart neither deletes
 * nor re-weights a server that is already there.
 */
public final class KernelAdoption {
  private static final Logger log = LoggerFactory.getLogger(KernelAdoption.class);

  private KernelAdoption() {}

  /**
   * The weights of the configured servers already in the kernel's table (a restart, or a partner
   * that programmed it): adopted until each server's first probe, so that a restart neither deletes
   * nor re-weights anything. An unreadable table adopts nothing.
   */
  public static HealthMonitor.KernelWeights weights(IpvsBackend b, LvsConfig cfg) {
    IpvsTable kernel;
    try {
      kernel = b.read();
    } catch (IpvsException e) {
      log.warn(
          "cannot read the kernel's IPVS table at start ({}): adopting nothing", e.getMessage());
      return HealthMonitor.KernelWeights.NONE;
    }
    Network network = cfg.global().network();
    return (v, rs) -> {
      Optional<IpvsTable.Entry> entry = kernel.entry(ConfigTables.key(v));
      if (entry.isEmpty()) {
        return OptionalInt.empty();
      }
      Map<InetSocketAddress, IpvsDestination> dests = entry.get().destinations();
      IpvsDestination d = dests.get(ConfigTables.destinationAddress(v, rs, network));
      if (d == null) {
        // a table programmed before fwmark direct-routing servers became RIP:0 (an older
        // lvs-pulse, Piranha's lvsd: RIP:RPORT); the reconciler then moves it to RIP:0
        d = dests.get(new InetSocketAddress(rs.address(), rs.port()));
      }
      return d == null ? OptionalInt.empty() : OptionalInt.of(d.weight());
    };
  }
}
