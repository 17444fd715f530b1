package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.bench.DaemonBench;
import io.lvspulse.testing.DaemonProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 2, as the reproduction ran it: the real jar with the systemd unit's JVM flags
 * ({@code -Xmx64m ... -XX:+ExitOnOutOfMemoryError}), monitoring 1,000 real servers, gets SIGHUP
 * with each pathological file in turn. Before the fix, 700 duplicate blocks ended it with {@code
 * Terminating due to java.lang.OutOfMemoryError} (exit 3, and a crash loop under {@code
 * Restart=on-failure}). Now each reload is rejected (or refused), the daemon stays up with its
 * config, and each bad reload writes a bounded number of log lines. Probes go to 127.10.x.y (closed
 * ports: the servers go down).
 */
class BadReloadIT {
  private static final int SERVERS = 1000;

  @TempDir Path dir;
  private DaemonProcess daemon;
  private Path config;

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  private static String running(int serial) {
    StringBuilder b = new StringBuilder("serial_no = " + serial + "\nnetwork = direct\n");
    for (int v = 0; v < SERVERS / 250; v++) {
      b.append("virtual web")
          .append(v)
          .append(" {\n active = 1\n address = 192.0.2.")
          .append(10 + v)
          .append(" eth0:1\n port = 7\n timeout = 10\n persistent = 30\n");
      for (int i = 0; i < 250; i++) {
        b.append(" server s").append(i).append(" {\n  address = 127.10.").append(v);
        b.append('.').append(1 + i).append("\n  active = 1\n }\n");
      }
      b.append("}\n");
    }
    return b.toString();
  }

  private void write(String text) throws IOException {
    Path tmp = dir.resolve("lvs.cf.tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Map<String, String> files() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("700 duplicate virtual blocks", "virtual a {\n}\n".repeat(700));
    f.put("5,000 duplicate virtual blocks", "virtual a {\n}\n".repeat(5000));
    f.put("5,000 unclosed nested blocks", "virtual a {\n" + "    server s {\n".repeat(5000));
    f.put("a 20 MB key", "x".repeat(20 << 20) + " = 1\n");
    f.put("a 2 MB key", "x".repeat(2 << 20) + " = 1\n");
    StringBuilder verbose = new StringBuilder("virtual big {\n active = 1\n");
    StringBuilder compact = new StringBuilder("virtual big {\n active = 1\n");
    for (int i = 0; i < 100_000; i++) {
      String a = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
      verbose.append(" server s").append(i).append(" {\n  address = ").append(a);
      verbose.append("\n  active = 1\n }\n");
      if (i < 70_000) {
        compact.append("server s").append(i).append(" { address = ").append(a).append(" }\n");
      }
    }
    f.put("100,000 servers", verbose.append("}\n").toString());
    f.put("70,000 servers, one line each", compact.append("}\n").toString());
    f.put("control characters", "virtual web0\u001b[2J {\n active = 1\n}\n");
    f.put("an empty file", "");
    return f;
  }

  @SuppressWarnings("unchecked")
  private int downServers() throws Exception {
    int down = 0;
    for (Object v : (List<Object>) daemon.status().get("virtuals")) {
      for (Object sv : (List<Object>) ((Map<String, Object>) v).get("servers")) {
        if ("down".equals(((Map<String, Object>) sv).get("state"))) {
          down++;
        }
      }
    }
    return down;
  }

  private long failedReloads() throws Exception {
    String metrics;
    try {
      metrics = daemon.metrics();
    } catch (IOException e) {
      daemon.assertAlive(); // a daemon that died says how (exit 3: OutOfMemoryError)
      throw e;
    }
    for (String line : metrics.lines().toList()) {
      if (line.startsWith("lvs_pulse_config_reloads_total{result=\"failed\"} ")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  @Test
  void the_daemon_under_the_units_heap_survives_a_sighup_with_each_pathological_file()
      throws Exception {
    config = dir.resolve("lvs.cf");
    write(running(1));
    daemon =
        DaemonProcess.start(
            dir,
            DaemonBench.SYSTEMD_JAVA_OPTS,
            List.of("--config", config.toString(), "--ipvs", "dry-run", "--no-failover"));
    daemon.awaitLog("monitoring 1000 real servers", Duration.ofSeconds(30));
    // every server probed once (down: nothing listens), so no state change mixes with the reloads
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> downServers() == SERVERS);

    List<String> report = new ArrayList<>();
    int n = 0;
    for (Map.Entry<String, String> f : files().entrySet()) {
      long linesBefore = daemon.log().lines().count();
      write(f.getValue());
      daemon.sighup();
      long expected = ++n;
      await(f.getKey())
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                daemon.assertAlive();
                return failedReloads() == expected;
              });
      long lines = daemon.log().lines().count() - linesBefore;
      report.add(f.getKey() + ": " + lines + " log lines");
      assertThat(lines).as("log lines for %s", f.getKey()).isBetween(2L, 210L);
      daemon.assertAlive();
      assertThat(((Map<?, ?>) daemon.status().get("config")).get("serial_no"))
          .as("running config after %s", f.getKey())
          .isEqualTo(1L);
    }
    assertThat(daemon.log())
        .doesNotContain("OutOfMemoryError")
        .contains("reload refused, keeping the running config: ")
        .contains("too many blocks")
        .contains("lvs-pulse reads files of at most 3145728 bytes");

    write(running(2));
    daemon.sighup();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> daemon.metrics().contains("lvs_pulse_config_serial_no 2.0"));
    System.out.println("BadReloadIT: " + String.join("; ", report));
  }
}
