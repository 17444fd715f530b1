package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lvspulse.config.LvsConfig;
import java.io.IOException;
import java.net.InetAddress;
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
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 9 items 2 and 11: a reload with a pathological file leaves the running daemon alive with
 * its config, and logs a bounded number of lines. An in-process daemon on the dry-run backend.
 * Before the fix, 700 duplicate blocks logged 244,650 lines, 5,000 duplicates or 5,000 unclosed
 * nested blocks ran the daemon out of memory (under the unit's -Xmx64m: exit 3 and a crash loop),
 * and a 20 MB key took minutes and gigabytes and was echoed whole. {@code BadReloadIT} sends SIGHUP
 * to the real jar with the unit's JVM flags.
 */
class BadReloadTest {
  @TempDir Path dir;
  private Path config;
  private Daemon daemon;
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  /** A running config: two TCP virtual services whose servers nothing answers (they go down). */
  static String good(int port) {
    return "serial_no = 1\nnetwork = direct\n"
        + "virtual web {\n active = 1\n address = 192.0.2.10 eth0:1\n port = "
        + port
        + "\n timeout = 1\n persistent = 30\n"
        + " server a {\n  address = 127.0.0.1\n  active = 1\n }\n"
        + "}\n"
        + "virtual web2 {\n active = 1\n address = 192.0.2.11 eth0:1\n port = "
        + port
        + "\n timeout = 1\n"
        + " server b {\n  address = 127.0.0.1\n  active = 1\n }\n"
        + "}\n";
  }

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Dry-run, no failover, HTTP on a free loopback port (for {@link #metrics}). */
  static DaemonOptions options(Path config) throws IOException {
    return new DaemonOptions(
        config,
        DaemonOptions.IpvsMode.DRY_RUN,
        Optional.empty(),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort()),
        false,
        Optional.empty(),
        false,
        Duration.ofSeconds(15),
        false,
        List.of());
  }

  /** The daemon's /metrics. */
  static String metrics(DaemonOptions o) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + o.listen().getPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  /** The config the daemon runs. */
  static LvsConfig running(Daemon d) {
    return d.status().monitor().config();
  }

  private DaemonOptions options;

  @BeforeEach
  void start() throws Exception {
    config = dir.resolve("lvs.cf");
    Files.writeString(config, good(closedPort()));
    options = options(config);
    daemon = Launcher.create(options);
    daemon.start();
    lines.start();
    root.addAppender(lines);
  }

  @AfterEach
  void stop() {
    root.detachAppender(lines);
    if (daemon != null) {
      daemon.close();
    }
  }

  static Stream<Arguments> files() {
    return Stream.of(
        Arguments.of("700 duplicate virtual blocks", "virtual a {\n}\n".repeat(700)),
        Arguments.of("5,000 duplicate virtual blocks", "virtual a {\n}\n".repeat(5000)),
        Arguments.of(
            "5,000 unclosed nested blocks", "virtual a {\n" + "    server s {\n".repeat(5000)),
        Arguments.of("a 20 MB key", "x".repeat(20 << 20) + " = 1\n"),
        Arguments.of(
            "control characters",
            "virtual web\u001b[2J {\n active = 1\n address = 192.0.2.10 eth0\u0000\n}\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void a_reload_with_a_pathological_file_keeps_the_daemon_running_its_config(
      String what, String text) throws Exception {
    LvsConfig before = running(daemon);
    Files.writeString(config, text, StandardCharsets.UTF_8);

    assertThat(daemon.reload()).as("reload of %s", what).isFalse();

    assertThat(running(daemon)).isSameAs(before);
    assertThat(daemon.status().monitor().servers()).hasSize(2);
    String metrics = metrics(options);
    assertThat(metrics).contains("lvs_pulse_config_reloads_total{result=\"failed\"} 1.0");
    assertThat(metrics).contains("lvs_pulse_config_last_reload_successful 0.0");
    List<ILoggingEvent> logged =
        lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertThat(logged.size()).as("lines logged for %s", what).isBetween(1, 102);
    for (ILoggingEvent e : logged) {
      String m = e.getFormattedMessage();
      assertThat(m.length()).as("line length").isLessThan(1200);
      assertThat(m.chars().noneMatch(c -> c < 0x20)).as("raw control character in %s", m).isTrue();
    }

    // A good file is still applied afterwards.
    Files.writeString(config, good(closedPort()).replace("serial_no = 1", "serial_no = 2"));
    assertThat(daemon.reload()).isTrue();
    assertThat(running(daemon).global().serialNo()).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0} duplicates")
  @MethodSource("duplicateCounts")
  void a_reload_with_many_duplicates_logs_at_most_a_hundred_and_one_error_lines(int n)
      throws Exception {
    Files.writeString(config, "virtual a {\n}\n".repeat(n + 1));
    assertThat(daemon.reload()).isFalse();
    List<String> errors =
        lines.list.stream()
            .filter(e -> e.getLevel() == Level.ERROR)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertThat(errors).hasSize(Math.min(n, 100) + (n > 100 ? 1 : 0));
    assertThat(errors.get(0))
        .isEqualTo(
            "reload rejected, keeping the running config: "
                + config
                + ":3:9: error: duplicate virtual name 'a' (first defined at line 1)");
    if (n > 100) {
      assertThat(errors.get(100)).contains(": error: " + (n - 100) + " more errors not shown");
    }
  }

  static Stream<Integer> duplicateCounts() {
    return Stream.of(3, 450);
  }
}
