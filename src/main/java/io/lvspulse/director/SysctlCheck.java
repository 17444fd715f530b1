package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.ipvs.VsSysctls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sysctl policy: warns (or, with {@code --set-sysctls}, fixes) when a quiescing persistent or
 * UDP virtual service would keep sending clients to a dead server because the kernel keeps its
 * templates or connections ({@link VsSysctls} reads the two knobs and says which service suffers).
 * The daemon runs it at start and on every reload, for the local kernel only.
 */
public final class SysctlCheck {
  private static final Logger log = LoggerFactory.getLogger(SysctlCheck.class);

  private SysctlCheck() {}

  /**
   * Checks {@code config} against the sysctls under {@code dir} (normally {@link
   * VsSysctls#PROC_SYS_NET_IPV4_VS}); nothing when no service quiesces or IPVS is not loaded.
   *
   * @param set turn both sysctls on instead of warning ({@code --set-sysctls}); if that fails, warn
   * @return the warnings logged (empty when none was needed or the sysctls were set)
   */
  public static List<String> check(LvsConfig config, Path dir, boolean set) {
    Set<ServiceKey> quiescing = new LinkedHashSet<>();
    for (VirtualService v : config.activeVirtuals()) {
      if (v.quiesceServer() && ConfigTables.inIpvs(v)) {
        quiescing.add(ConfigTables.key(v));
      }
    }
    Optional<VsSysctls> now = VsSysctls.read(dir);
    if (quiescing.isEmpty() || now.isEmpty()) {
      return List.of();
    }
    List<String> warnings =
        now.get().warnings(DesiredTables.allHealthy(config, RealServer::weight), quiescing);
    if (warnings.isEmpty()) {
      return List.of();
    }
    if (set) {
      try {
        VsSysctls.enableBoth(dir);
        log.info(
            "set net.ipv4.vs.expire_quiescent_template = 1 and expire_nodest_conn = 1 (--set-sysctls)");
        return List.of();
      } catch (IOException e) {
        log.warn("--set-sysctls: cannot write {}: {}", dir, e.toString());
      }
    }
    for (String w : warnings) {
      log.warn("{}; set it to 1 (sysctl -w) or run with --set-sysctls", w);
    }
    return warnings;
  }
}
