package io.lvspulse.daemon;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.VirtualService;
import io.lvspulse.director.ConfigTables;
import java.util.Optional;

/**
 * The reload policy for a valid file that would take the director out of service: a reload that
 * withdraws every virtual service, or every real server, is refused unless the operator forces it
 * (SIGUSR1). Such a file is almost always a mistake (an empty file written by config management
 * before its content, a file cut after the global section, every server set to {@code active = 0}
 * by a bad template), and applying it takes every service down on both directors at once.
 *
 * <p>Only all-or-nothing is refused: a reload that removes some services or servers is an ordinary
 * change (a migration, a decommission), and a percentage threshold would refuse those too.
 */
final class ReloadGuard {
  private ReloadGuard() {}

  /**
   * Why reloading from {@code running} to {@code next} would take the director out of service, or
   * empty if it would not.
   */
  static Optional<String> outOfService(LvsConfig running, LvsConfig next) {
    int services = services(running);
    if (services == 0) {
      return Optional.empty(); // nothing to lose
    }
    int nextServices = services(next);
    if (nextServices == 0) {
      return Optional.of(
          "the new file has no active virtual service (the running config has "
              + services
              + "): it would withdraw every virtual service");
    }
    int servers = servers(running);
    int nextServers = servers(next);
    if (servers > 0 && nextServers == 0) {
      return Optional.of(
          "the new file has no active real server in its "
              + nextServices
              + " active virtual service(s) (the running config has "
              + servers
              + "): it would remove every real server");
    }
    return Optional.empty();
  }

  /** Active virtual services lvs-pulse puts in IPVS (those with a fwmark or an address). */
  private static int services(LvsConfig c) {
    int n = 0;
    for (VirtualService v : c.virtuals()) {
      if (inIpvs(v)) {
        n++;
      }
    }
    return n;
  }

  /** Active real servers of those services. */
  private static int servers(LvsConfig c) {
    int n = 0;
    for (VirtualService v : c.virtuals()) {
      if (inIpvs(v)) {
        n += v.activeServers().size();
      }
    }
    return n;
  }

  private static boolean inIpvs(VirtualService v) {
    return v.active() && ConfigTables.inIpvs(v);
  }
}
