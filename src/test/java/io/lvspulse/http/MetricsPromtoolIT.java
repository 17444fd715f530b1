package io.lvspulse.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.Peers;
import io.lvspulse.testing.TftpClusterConfig;
import io.lvspulse.testing.TftpdHpa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics of a running daemon (one live tftpd-hpa, one address where nothing listens) passes
 * {@code promtool check metrics} and has every metric the issue names.
 */
class MetricsPromtoolIT {
  @TempDir Path dir;

  @Test
  void the_metrics_of_a_running_daemon_pass_promtool_and_name_every_required_series()
      throws Exception {
    Path promtool =
        Peers.requireExecutable(
            "promtool (Debian package prometheus)",
            "LVS_PULSE_PROMTOOL",
            "/usr/bin/promtool",
            "/usr/local/bin/promtool");
    try (TftpdHpa live = TftpdHpa.start("127.0.0.12")) {
      Path cfg = dir.resolve("lvs.cf");
      // 127.0.0.16: nothing listens there, so it answers ICMP port unreachable and goes down.
      Files.writeString(
          cfg, TftpClusterConfig.example(List.of("ftp1=127.0.0.12", "dead=127.0.0.16")).text());
      try (DaemonProcess d =
          DaemonProcess.start(
              dir, List.of("--config", cfg.toString(), "--ipvs", "dry-run", "--no-failover"))) {
        d.awaitServer(
            "tftp",
            "ftp1",
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            s -> s.isPresent() && "up".equals(s.get().get("state")));
        d.awaitServer(
            "tftp",
            "dead",
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            s -> s.isPresent() && "down".equals(s.get().get("state")));
        String metrics = d.metrics();

        Process p =
            new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(p.exitValue()).as("promtool check metrics:\n" + out).isZero();

        assertSeries(
            metrics,
            "lvs_pulse_real_server_up",
            "address=\"127.0.0.12\"",
            "port=\"69\"",
            "server=\"ftp1\"",
            "virtual=\"tftp\"",
            "} 1.0");
        assertSeries(metrics, "lvs_pulse_real_server_up", "server=\"dead\"", "} 0.0");
        assertSeries(metrics, "lvs_pulse_real_server_weight", "server=\"ftp1\"", "} 1.0");
        assertSeries(metrics, "lvs_pulse_real_server_weight", "server=\"dead\"", "} 0.0");
        assertSeries(
            metrics, "lvs_pulse_probe_duration_seconds_bucket", "le=\"0.005\"", "virtual=\"tftp\"");
        assertSeries(metrics, "lvs_pulse_probe_duration_seconds_bucket", "le=\"+Inf\"");
        assertSeries(metrics, "lvs_pulse_probe_duration_seconds_count", "virtual=\"tftp\"");
        assertSeries(metrics, "lvs_pulse_probe_duration_seconds_sum", "virtual=\"tftp\"");
        assertThat(metrics).contains("# TYPE lvs_pulse_probe_duration_seconds histogram");
        assertSeries(metrics, "lvs_pulse_probes_total", "result=\"ok\"", "virtual=\"tftp\"");
        assertSeries(metrics, "lvs_pulse_probes_total", "result=\"port_unreachable\"");
        assertSeries(metrics, "lvs_pulse_real_server_transitions_total", "to=\"up\"");
        assertSeries(metrics, "lvs_pulse_real_server_transitions_total", "to=\"down\"");
        assertSeries(metrics, "lvs_pulse_ipvsadm_commands_total", "result=\"ok\"");
        assertSeries(metrics, "lvs_pulse_ipvsadm_commands_total", "result=\"failed\"");
        assertSeries(metrics, "lvs_pulse_ipvsadm_commands_total", "result=\"timeout\"");
        assertSeries(metrics, "lvs_pulse_ipvsadm_duration_seconds_count");
        assertSeries(metrics, "lvs_pulse_config_reloads_total", "result=\"ok\"");
        assertSeries(metrics, "lvs_pulse_config_reloads_total", "result=\"failed\"");
        assertThat(metrics).containsPattern("(?m)^lvs_pulse_config_serial_no 1\\.0$");
        assertThat(metrics).containsPattern("(?m)^jvm_memory_used_bytes\\{");
        assertThat(metrics).containsPattern("(?m)^jvm_threads_live_threads ");
        assertThat(metrics).containsPattern("(?m)^process_uptime_seconds ");
        assertThat(metrics).containsPattern("(?m)^process_cpu_usage ");
        assertThat(metrics).containsPattern("(?m)^process_files_open_files ");
      }
    }
  }

  /** Asserts a sample line of {@code name} containing every fragment. */
  private static void assertSeries(String metrics, String name, String... fragments) {
    Pattern p = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^\\n]*\\})? [^\\n]+$");
    List<String> lines = metrics.lines().filter(l -> p.matcher(l).matches()).toList();
    assertThat(lines).as("samples of " + name).isNotEmpty();
    assertThat(lines)
        .as("a sample of " + name + " with " + List.of(fragments))
        .anyMatch(l -> List.of(fragments).stream().allMatch(l::contains));
  }
}
