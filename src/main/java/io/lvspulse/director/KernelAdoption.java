package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Network;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.monitor.HealthMonitor;
import java.net.InetSocketAddress;
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
      InetSocketAddress want = ConfigTables.destination(rs, network, rs.weight()).address();
      IpvsDestination d = entry.get().destinations().get(want);
      if (d == null && v.isFwmark()) {
        // the kernel keeps a fwmark server added without a port as IP:0
        d = entry.get().destinations().get(new InetSocketAddress(want.getAddress(), 0));
      }
      return d == null ? OptionalInt.empty() : OptionalInt.of(d.weight());
    };
  }
}
