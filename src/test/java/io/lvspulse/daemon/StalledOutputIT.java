package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.Waits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 item 9: when journald or the pipe's reader stops reading, a synchronous console appender
 * blocks every thread that logs: probes, HTTP and SIGTERM all hung from the first state change.
 * Here the daemon's stdout and stderr are pipes that nobody reads; it must go on answering
 * /healthz, count the lines it drops, and stop on SIGTERM.
 */
class StalledOutputIT {
  private static final Pattern DROPPED =
      Pattern.compile(
          "^lvs_pulse_log_lines_dropped_total(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  @TempDir Path dir;
  private Process daemon;

  @AfterEach
  void stop() throws InterruptedException {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroyForcibly();
      daemon.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A config of 100 servers whose program probe fails every second: a steady stream of logs. */
  private Path config() throws IOException {
    StringBuilder sb = new StringBuilder("network = direct\nvirtual noisy {\n active = 1\n");
    sb.append(" address = 203.0.113.10 eth0:1\n port = 69\n protocol = udp\n fwmark = 1\n");
    sb.append(" timeout = 1\n send_program = \"/bin/false %h\"\n");
    for (int i = 0; i < 100; i++) {
      sb.append(" server s")
          .append(i)
          .append(" {\n  address = 127.0.1.")
          .append(i + 1)
          .append("\n  active = 1\n }\n");
    }
    sb.append("}\n");
    Path p = dir.resolve("lvs.cf");
    Files.writeString(p, sb.toString());
    return p;
  }

  /** The shipped logback file with a small queue, so the test need not fill 8192 lines first. */
  private Path logback(String shipped) throws IOException {
    String xml = Files.readString(Path.of(shipped));
    assertThat(xml).contains("io.lvspulse.logging.DroppingAsyncAppender", "<queueSize>8192<");
    Path p = dir.resolve("logback.xml");
    Files.writeString(p, xml.replace("<queueSize>8192<", "<queueSize>64<"));
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"etc/logback.xml", "src/main/resources/logback.xml"})
  void a_daemon_whose_output_nobody_reads_keeps_answering_and_stops_on_sigterm(String shipped)
      throws Exception {
    int port = freePort();
    List<String> cmd = new ArrayList<>(DaemonProcess.javaCommand());
    cmd.add(1, "-Dlogback.configurationFile=" + logback(shipped));
    cmd.addAll(DaemonProcess.RUN_ADMIN_OFF);
    cmd.addAll(
        List.of(
            "--config",
            config().toString(),
            "--ipvs",
            "dry-run",
            "--no-failover",
            "--listen",
            "127.0.0.1:" + port));
    ProcessBuilder pb = new ProcessBuilder(cmd); // stdout and stderr: pipes nobody reads
    pb.environment().put("LVS_PULSE_LOG_LEVEL", "DEBUG");
    daemon = pb.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + port;

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> dropped(get(http, base + "/metrics")) > 0);
    // The pipes are full and lines are being dropped: every endpoint still answers at once.
    Waits.holds(
        "every endpoint answers while the pipes are full",
        Duration.ofMillis(2500),
        Duration.ofMillis(500),
        () -> {
          assertThat(get(http, base + "/healthz")).isEqualTo("ok\n");
          assertThat(get(http, base + "/status")).contains("\"noisy\"");
        });
    // and lines are still being dropped, not written
    double before = dropped(get(http, base + "/metrics"));
    Waits.until(
        "more lines dropped than " + before,
        Duration.ofSeconds(20),
        Duration.ofMillis(500),
        () -> dropped(get(http, base + "/metrics")) > before,
        () -> "no more lines dropped than " + before + " within 20 s");

    DaemonProcess.signal("TERM", daemon.pid());
    assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
  }

  private static String get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
  }

  private static double dropped(String metrics) {
    Matcher m = DROPPED.matcher(metrics);
    assertThat(m.find()).as("lvs_pulse_log_lines_dropped_total in /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }
}
