package io.lvspulse.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus}) for a test: its own config, rules file and
 * storage under a test directory, listening on a free 127.0.0.1 port, scraping the given targets as
 * job {@code lvs-pulse}. Stopped by its PID (SIGTERM, then SIGKILL) in {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The prometheus binary (skips locally, fails under CI when missing). */
  public static Path binary() {
    return Peers.requireExecutable(
        "prometheus (Debian package prometheus)",
        "LVS_PULSE_PROMETHEUS",
        "/usr/bin/prometheus",
        "/usr/local/bin/prometheus");
  }

  /**
   * Starts Prometheus scraping {@code targets} (host:port) every {@code interval} and evaluating
   * {@code rules} as often; returns once {@code /-/ready} answers.
   */
  public static PrometheusServer start(
      Path dir, Path rules, List<String> targets, Duration interval)
      throws IOException, InterruptedException {
    Path binary = binary();
    Files.createDirectories(dir);
    String every = interval.toMillis() + "ms";
    StringBuilder cfg = new StringBuilder();
    cfg.append("global:\n")
        .append("  scrape_interval: ")
        .append(every)
        .append("\n  scrape_timeout: ")
        .append(every)
        .append("\n  evaluation_interval: ")
        .append(every)
        .append("\nrule_files:\n  - '")
        .append(rules.toAbsolutePath())
        .append("'\nscrape_configs:\n  - job_name: lvs-pulse\n    static_configs:\n")
        .append("      - targets: [");
    for (int i = 0; i < targets.size(); i++) {
      cfg.append(i == 0 ? "'" : ", '").append(targets.get(i)).append("'");
    }
    cfg.append("]\n");
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, cfg.toString());
    int port = freePort();
    Path log = dir.resolve("prometheus.log");
    Process p =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--storage.tsdb.retention.time=1h",
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    PrometheusServer s = new PrometheusServer(p, port, log);
    try {
      s.awaitReady();
    } catch (RuntimeException | Error e) {
      s.close();
      throw e;
    }
    return s;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private void awaitReady() throws InterruptedException {
    Waits.until(
        "prometheus is ready",
        READY_TIMEOUT,
        Duration.ofMillis(200),
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError(
                "prometheus exited with "
                    + process.exitValue()
                    + " before it was ready:\n"
                    + log());
          }
          try {
            return send("/-/ready").statusCode() == 200;
          } catch (IOException e) {
            return false; // not listening yet
          }
        },
        () -> "prometheus was not ready within " + READY_TIMEOUT + ":\n" + log());
  }

  private HttpResponse<String> send(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** GETs an API path and returns the parsed JSON answer (with its {@code status}). */
  public Map<String, Object> api(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r = send(pathAndQuery);
    Map<String, Object> body = MiniJson.object(r.body());
    if (r.statusCode() != 200 && !body.containsKey("error")) {
      throw new IOException("GET " + pathAndQuery + ": HTTP " + r.statusCode() + ": " + r.body());
    }
    return body;
  }

  /** {@code /api/v1/query?query=PROMQL} (an instant query now). */
  public Map<String, Object> query(String promql) throws IOException, InterruptedException {
    return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** The {@code result} list of a successful instant query. */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> vector(String promql) throws IOException, InterruptedException {
    Map<String, Object> r = query(promql);
    if (!"success".equals(r.get("status"))) {
      throw new AssertionError("query " + promql + " failed: " + r);
    }
    return (List<Map<String, Object>>) MiniJson.at(r, "data", "result");
  }

  /** {@code /api/v1/alerts}: every pending or firing alert. */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> alerts() throws IOException, InterruptedException {
    return (List<Map<String, Object>>) MiniJson.at(api("/api/v1/alerts"), "data", "alerts");
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** Everything Prometheus logged so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** SIGTERM to its PID, up to 20 s to exit, then SIGKILL. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
