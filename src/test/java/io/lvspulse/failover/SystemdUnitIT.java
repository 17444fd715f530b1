package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.Peers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code systemd/lvs-pulse.service} passes {@code systemd-analyze verify} and keeps its hardening.
 */
class SystemdUnitIT {
  private static final Path UNIT = Path.of("systemd", "lvs-pulse.service").toAbsolutePath();

  @Test
  void the_unit_passes_systemd_analyze_verify() {
    Path analyze =
        Peers.requireExecutable(
            "systemd-analyze",
            "LVS_PULSE_SYSTEMD_ANALYZE",
            "/usr/bin/systemd-analyze",
            "/bin/systemd-analyze");

    ExecResult r =
        new ExecRunner()
            .run(
                ExecRequest.of(
                    Duration.ofSeconds(60),
                    analyze.toString(),
                    "verify",
                    // man:lvs-pulse(8) exists once the package is installed (DebInstallIT checks
                    // it)
                    "--man=no",
                    UNIT.toString()));

    assertThat(r.succeeded()).as(r.describe() + "\n" + r.stderr()).isTrue();
    assertThat(r.stderr()).as("no complaint about our unit").doesNotContain("lvs-pulse.service");
  }

  @Test
  void the_unit_runs_as_its_own_user_with_only_the_network_capabilities() throws Exception {
    String unit = Files.readString(UNIT);

    assertThat(unit)
        .contains("Type=exec")
        .contains("User=lvs-pulse")
        .contains("ExecReload=/bin/kill -HUP $MAINPID")
        .contains(
            "ExecStopPost=-/usr/bin/java $JAVA_OPTS -jar /usr/lib/lvs-pulse/lvs-pulse.jar announce"
                + " --withdraw-all --config ${LVS_PULSE_CONFIG}")
        .contains("Restart=on-failure")
        .contains("AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE")
        .contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE")
        .contains("NoNewPrivileges=yes")
        .contains("ProtectSystem=strict")
        .contains("ProtectHome=yes")
        .contains("PrivateTmp=yes")
        .contains("EnvironmentFile=-/etc/default/lvs-pulse");
  }
}
