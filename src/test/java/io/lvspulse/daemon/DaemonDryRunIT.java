package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.TftpClusterConfig;
import io.lvspulse.testing.TftpdHpa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon process (the shaded jar, {@code --ipvs dry-run --no-failover}) against two real
 * tftpd-hpa servers on 127.0.0.2:69 and 127.0.0.3:69, configured as the example TFTP cluster
 * (fwmark 1, check_tftp send_program, quiesce_server = 1, persistent) with timeout 2 and reentry 4
 * (reentry count 2).
 */
class DaemonDryRunIT {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration UP_WITHIN = Duration.ofSeconds(30);
  private static final List<String> BOTH = List.of("ftp1=127.0.0.2", "ftp2=127.0.0.3");

  @TempDir Path dir;
  private final List<AutoCloseable> started = new ArrayList<>();
  private Path config;

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    started.clear();
  }

  private TftpdHpa tftpd(String host) throws Exception {
    TftpdHpa t = TftpdHpa.start(host);
    started.add(t);
    return t;
  }

  private DaemonProcess daemon(TftpClusterConfig cfg) throws Exception {
    config = dir.resolve("lvs.cf");
    write(cfg.text());
    DaemonProcess d =
        DaemonProcess.start(
            dir, List.of("--config", config.toString(), "--ipvs", "dry-run", "--no-failover"));
    started.add(d);
    return d;
  }

  private void write(String text) throws IOException {
    Path tmp = dir.resolve("lvs.cf.tmp");
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(
        tmp,
        config,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static long num(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertThat(v).as(key + " in " + m).isInstanceOf(Number.class);
    return ((Number) v).longValue();
  }

  private static boolean upAtWeight1(Optional<Map<String, Object>> s) {
    return s.isPresent()
        && "up".equals(s.get().get("state"))
        && num(s.get(), "weight") == 1
        && s.get().get("ipvs_weight") instanceof Number w
        && w.longValue() == 1;
  }

  private static boolean quiesced(Optional<Map<String, Object>> s) {
    return s.isPresent() && "down".equals(s.get().get("state")) && num(s.get(), "weight") == 0;
  }

  private void awaitBothUp(DaemonProcess d) throws Exception {
    d.awaitServer("tftp", "ftp1", UP_WITHIN, POLL, DaemonDryRunIT::upAtWeight1);
    d.awaitServer("tftp", "ftp2", UP_WITHIN, POLL, DaemonDryRunIT::upAtWeight1);
  }

  @Test
  void both_real_servers_go_up_and_are_added_to_the_fwmark_service_at_weight_one()
      throws Exception {
    tftpd("127.0.0.2");
    tftpd("127.0.0.3");
    DaemonProcess d = daemon(TftpClusterConfig.example(BOTH));
    awaitBothUp(d);

    Map<String, Object> ftp1 = d.server("tftp", "ftp1").orElseThrow();
    assertThat(ftp1.get("in_ipvs")).isEqualTo(true);
    @SuppressWarnings("unchecked")
    Map<String, Object> last = (Map<String, Object>) ftp1.get("last_probe");
    assertThat(last.get("success")).isEqualTo(true);
    assertThat(last.get("message")).isEqualTo("OK - answer from server");
    assertThat(ftp1.get("probe")).isEqualTo("tftp connect 127.0.0.2:69");
    d.awaitLog(
        Pattern.quote("dry-run: would run ipvsadm -A -f 1 -s wlc -p 45"), Duration.ofSeconds(5));
    d.awaitLog(
        Pattern.quote("dry-run: would run ipvsadm -a -f 1 -r 127.0.0.2:0 -g -w 1"),
        Duration.ofSeconds(5));
    d.awaitLog(
        Pattern.quote("dry-run: would run ipvsadm -a -f 1 -r 127.0.0.3:0 -g -w 1"),
        Duration.ofSeconds(5));
    d.awaitLog(
        "server tftp/127\\.0\\.0\\.2:69 unknown -> up: OK - answer from server",
        Duration.ofSeconds(5));

    DaemonProcess.Exit table =
        DaemonProcess.runToExit(Duration.ofSeconds(60), List.of("status", "--url", d.url()));
    assertThat(table.code()).as(table.output()).isZero();
    assertThat(table.output()).containsPattern("tftp +ftp1 +127\\.0\\.0\\.2:69 +up +1 ");
    assertThat(table.output()).containsPattern("tftp +ftp2 +127\\.0\\.0\\.3:69 +up +1 ");

    assertThat(d.stop()).as("exit code after SIGTERM").isIn(0, 143);
    assertThat(d.log()).contains("stopping; IPVS is left as it is");
  }

  @Test
  void
      a_stopped_server_is_quiesced_within_timeout_plus_one_probe_and_returns_after_the_reentry_count()
          throws Exception {
    tftpd("127.0.0.2");
    TftpdHpa ftp2 = tftpd("127.0.0.3");
    TftpClusterConfig cfg = TftpClusterConfig.example(BOTH);
    DaemonProcess d = daemon(cfg);
    awaitBothUp(d);

    long killedAt = System.nanoTime();
    ftp2.stop();
    d.awaitServer("tftp", "ftp2", Duration.ofSeconds(20), POLL, DaemonDryRunIT::quiesced);
    Duration detection = Duration.ofNanos(System.nanoTime() - killedAt);
    Duration bound =
        Duration.ofSeconds(2L * cfg.timeoutSeconds()); // timeout (next probe) + one probe
    assertThat(detection).as("from the kill to weight 0 in /status").isLessThanOrEqualTo(bound);
    assertThat(d.server("tftp", "ftp2").orElseThrow().get("in_ipvs"))
        .as("quiesced, not deleted")
        .isEqualTo(true);
    d.awaitLog(
        Pattern.quote("dry-run: would run ipvsadm -e -f 1 -r 127.0.0.3:0 -g -w 0"),
        Duration.ofSeconds(5));
    d.awaitLog("server tftp/127\\.0\\.0\\.3:69 up -> down: ", Duration.ofSeconds(5));
    assertThat(d.server("tftp", "ftp1").orElseThrow().get("state")).isEqualTo("up");

    // Back: it must pass `reentry / timeout` = 2 probes in a row; after the first it is still down.
    ftp2.start();
    AtomicBoolean sawDownAfterOneSuccess = new AtomicBoolean();
    AtomicReference<Map<String, Object>> last = new AtomicReference<>(Map.of());
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(POLL)
        .until(
            () -> {
              Map<String, Object> s = d.server("tftp", "ftp2").orElseThrow();
              last.set(s);
              if ("down".equals(s.get("state")) && num(s, "consecutive_successes") == 1) {
                sawDownAfterOneSuccess.set(true);
                assertThat(num(s, "weight")).isZero();
              }
              d.assertAlive();
              return "up".equals(s.get("state"));
            });
    assertThat(sawDownAfterOneSuccess.get())
        .as("still down (weight 0) after its first successful probe")
        .isTrue();
    Map<String, Object> s = last.get();
    assertThat(num(s, "consecutive_successes"))
        .as("successes when it came back")
        .isGreaterThanOrEqualTo(2);
    assertThat(num(s, "weight")).isEqualTo(1);
    assertThat(num(s, "ipvs_weight")).isEqualTo(1);
    d.awaitLog(
        Pattern.quote("dry-run: would run ipvsadm -e -f 1 -r 127.0.0.3:0 -g -w 1"),
        Duration.ofSeconds(5));
    d.awaitLog(
        "server tftp/127\\.0\\.0\\.3:69 down -> up: OK - answer from server",
        Duration.ofSeconds(5));
  }

  @Test
  void a_hung_server_is_quiesced_when_its_probe_times_out() throws Exception {
    tftpd("127.0.0.2");
    TftpdHpa ftp2 = tftpd("127.0.0.3");
    TftpClusterConfig cfg = TftpClusterConfig.example(BOTH);
    DaemonProcess d = daemon(cfg);
    awaitBothUp(d);

    long frozenAt = System.nanoTime();
    ftp2.freeze(); // SIGSTOP: no answer and no ICMP error, so only the probe timeout can tell
    d.awaitServer("tftp", "ftp2", Duration.ofSeconds(20), POLL, DaemonDryRunIT::quiesced);
    Duration detection = Duration.ofNanos(System.nanoTime() - frozenAt);
    // Worst case: the next probe starts one interval later and gives up after the timeout; one
    // extra second for process scheduling on a loaded machine.
    Duration bound = Duration.ofSeconds(2L * cfg.timeoutSeconds() + 1);
    assertThat(detection).as("from SIGSTOP to weight 0 in /status").isLessThanOrEqualTo(bound);
    @SuppressWarnings("unchecked")
    Map<String, Object> last =
        (Map<String, Object>) d.server("tftp", "ftp2").orElseThrow().get("last_probe");
    assertThat(last.get("cause")).isEqualTo("timeout");
    ftp2.thaw();
  }

  @Test
  void a_sighup_with_a_broken_config_keeps_the_running_config_and_is_counted() throws Exception {
    tftpd("127.0.0.2");
    TftpdHpa ftp2 = tftpd("127.0.0.3");
    TftpClusterConfig cfg = TftpClusterConfig.example(BOTH);
    DaemonProcess d = daemon(cfg);
    awaitBothUp(d);

    List<String> lines = cfg.withSerial(2).text().lines().toList();
    int line = -1;
    List<String> broken = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.strip().equals("timeout = 2")) {
        line = i + 1;
        l = l.replace("timeout = 2", "timeout 2");
      }
      broken.add(l);
    }
    int col = broken.get(line - 1).indexOf("timeout 2") + "timeout ".length() + 1;
    write(String.join("\n", broken) + "\n");
    d.sighup();

    String rejected =
        d.awaitLog(
            "reload rejected, keeping the running config: "
                + Pattern.quote(config + ":" + line + ":" + col + ": error"),
            Duration.ofSeconds(15));
    assertThat(rejected).contains("missing '='");
    String m = d.metrics();
    assertThat(m).contains("lvs_pulse_config_reloads_total{result=\"failed\"} 1.0");
    assertThat(m).contains("lvs_pulse_config_reloads_total{result=\"ok\"} 0.0");
    assertThat(m).contains("lvs_pulse_config_serial_no 1.0");
    assertThat(m).contains("lvs_pulse_config_last_reload_successful 0.0");
    assertThat(((Map<?, ?>) d.status().get("config")).get("serial_no"))
        .isEqualTo(1L); // MiniJson integers are Longs

    // Still monitoring with the running config: probes go on and a failure is still acted upon.
    String before =
        String.valueOf(
            ((Map<?, ?>) d.server("tftp", "ftp1").orElseThrow().get("last_probe")).get("at"));
    d.awaitServer(
        "tftp",
        "ftp1",
        Duration.ofSeconds(10),
        POLL,
        s ->
            s.isPresent()
                && !before.equals(String.valueOf(((Map<?, ?>) s.get().get("last_probe")).get("at")))
                && "up".equals(s.get().get("state")));
    ftp2.stop();
    d.awaitServer("tftp", "ftp2", Duration.ofSeconds(10), POLL, DaemonDryRunIT::quiesced);
  }

  @Test
  void
      a_sighup_that_removes_a_server_drains_it_for_the_persistence_time_and_one_that_adds_it_back_restores_it()
          throws Exception {
    tftpd("127.0.0.2");
    tftpd("127.0.0.3");
    TftpClusterConfig cfg = TftpClusterConfig.example(BOTH).withPersistent(3);
    DaemonProcess d = daemon(cfg);
    awaitBothUp(d);
    d.awaitLog(
        Pattern.quote("would run ipvsadm -a -f 1 -r 127.0.0.3:0 -g -w 1"), Duration.ofSeconds(5));

    write(cfg.withSerial(2).withServers(List.of("ftp1=127.0.0.2")).text());
    long hupAt = System.nanoTime();
    d.sighup();
    Map<String, Object> draining =
        d.awaitServer(
                "tftp",
                "ftp2",
                Duration.ofSeconds(10),
                POLL,
                s -> s.isPresent() && "draining".equals(s.get().get("state")))
            .orElseThrow();
    assertThat(num(draining, "weight")).isZero();
    assertThat(num(draining, "ipvs_weight")).isZero();
    assertThat(draining.get("in_ipvs")).isEqualTo(true);
    assertThat(draining.get("drain_until")).isNotNull();
    d.awaitLog(
        Pattern.quote("would run ipvsadm -e -f 1 -r 127.0.0.3:0 -g -w 0"), Duration.ofSeconds(5));
    d.awaitLog(
        "server tftp/127\\.0\\.0\\.3:69 removed by reload: draining at weight 0",
        Duration.ofSeconds(5));

    d.awaitServer("tftp", "ftp2", Duration.ofSeconds(15), POLL, Optional::isEmpty);
    Duration drained = Duration.ofNanos(System.nanoTime() - hupAt);
    assertThat(drained)
        .as("drained for the persistence time (3 s)")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    d.awaitLog(Pattern.quote("would run ipvsadm -d -f 1 -r 127.0.0.3:0"), Duration.ofSeconds(5));
    assertThat(d.server("tftp", "ftp1").orElseThrow().get("state")).isEqualTo("up");
    String m = d.metrics();
    assertThat(m).contains("lvs_pulse_config_reloads_total{result=\"ok\"} 1.0");
    assertThat(m).contains("lvs_pulse_config_serial_no 2.0");
    assertThat(m).contains("lvs_pulse_config_last_reload_successful 1.0");

    write(cfg.withSerial(3).text());
    d.sighup();
    d.awaitLog("server tftp/127\\.0\\.0\\.3:69 added by reload", Duration.ofSeconds(10));
    d.awaitServer("tftp", "ftp2", Duration.ofSeconds(15), POLL, DaemonDryRunIT::upAtWeight1);
    assertThat(d.metrics()).contains("lvs_pulse_config_serial_no 3.0");
  }

  @Test
  void an_invalid_config_at_start_exits_one_with_file_line_and_column() throws Exception {
    config = dir.resolve("broken.lvs.cf");
    Files.writeString(
        config,
        "serial_no = 1\nprimary = 192.0.2.1\nvirtual tftp {\n    active = 1\n    fwmark 1\n}\n");
    DaemonProcess.Exit r =
        DaemonProcess.runToExit(
            Duration.ofSeconds(60),
            List.of(
                "run",
                "--config",
                config.toString(),
                "--ipvs",
                "dry-run",
                "--no-failover",
                "--listen",
                "127.0.0.1:0"));
    assertThat(r.code()).as(r.output()).isEqualTo(1);
    assertThat(r.output()).contains(config + ":5:12: error");
    assertThat(r.output()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void the_ipvsadm_backend_on_a_host_without_ipvs_exits_one_naming_dry_run() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Files.exists(Path.of("/proc/net/ip_vs")),
        "this host's kernel has IPVS: the no-IPVS start-up check cannot be shown here");
    config = dir.resolve("lvs.cf");
    write(TftpClusterConfig.example(BOTH).text());
    DaemonProcess.Exit r =
        DaemonProcess.runToExit(
            Duration.ofSeconds(60),
            List.of(
                "run",
                "--config",
                config.toString(),
                "--ipvs",
                "ipvsadm",
                "--no-failover",
                "--listen",
                "127.0.0.1:0"));
    assertThat(r.code()).as(r.output()).isEqualTo(1);
    assertThat(r.output()).contains("--ipvs dry-run").contains("IPVS is not available");
    assertThat(r.output()).doesNotContain("Exception");
  }
}
