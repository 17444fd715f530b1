package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.ipvs.VsSysctls;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sysctl policy. A quiescing persistent or UDP virtual service keeps sending a dead server's
 * clients to it while the kernel keeps their persistence templates ({@code
 * expire_quiescent_template = 0}, the kernel's default) or their entries ({@code expire_nodest_conn
 * = 0}). So lvs-pulse sets both to 1 in the kernel its backend drives, unless {@code
 * --keep-sysctls}: then it only warns ({@link VsSysctls} says which service suffers). See
 * docs/end-to-end.md for why, measured. The daemon runs it at start and on every reload.
 */
public final class SysctlCheck {
  private static final Logger log = LoggerFactory.getLogger(SysctlCheck.class);

  private SysctlCheck() {}

  /**
   * Reads the sysctls through {@code backend} and, when a quiescing service of {@code config} needs
   * them, sets them ({@code set}) or warns. Nothing at all when no service quiesces.
   *
   * @return the warnings logged about services (empty when none was needed or the sysctls were set)
   */
  public static List<String> apply(LvsConfig config, IpvsBackend backend, boolean set) {
    Set<ServiceKey> quiescing = new LinkedHashSet<>();
    for (VirtualService v : config.activeVirtuals()) {
      if (v.quiesceServer() && ConfigTables.inIpvs(v)) {
        quiescing.add(ConfigTables.key(v));
      }
    }
    if (quiescing.isEmpty()) {
      return List.of();
    }
    Optional<VsSysctls> now;
    try {
      now = backend.sysctls();
    } catch (IpvsException e) {
      log.warn("cannot read the IPVS sysctls: {}", e.getMessage());
      return List.of();
    }
    List<String> warnings =
        now.map(s -> s.warnings(DesiredTables.allHealthy(config, RealServer::weight), quiescing))
            .orElse(List.of());
    if (now.isPresent() && warnings.isEmpty()) {
      return List.of();
    }
    if (set) {
      try {
        backend.enableSysctls();
        log.info(
            "set net.ipv4.vs.expire_quiescent_template = 1 and expire_nodest_conn = 1 in the"
                + " kernel {} drives: a failed server's clients move at once (--keep-sysctls"
                + " leaves them)",
            backend.name());
        return List.of();
      } catch (IpvsException e) {
        log.warn("cannot set the IPVS sysctls: {}", e.getMessage());
      }
    }
    if (now.isEmpty()) {
      log.warn(
          "cannot read the IPVS sysctls of the kernel {} drives; make sure"
              + " net.ipv4.vs.expire_quiescent_template and expire_nodest_conn are 1 there",
          backend.name());
    }
    for (String w : warnings) {
      log.warn("{}; set it to 1 (sysctl -w), or run without --keep-sysctls", w);
    }
    return warnings;
  }
}
