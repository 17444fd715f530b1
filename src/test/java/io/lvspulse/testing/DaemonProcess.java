package io.lvspulse.testing;

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
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The shaded jar running as a real process: {@code java -jar lvs-pulse.jar ARGS --listen
 * 127.0.0.1:FREE}, its stdout and stderr in one log file, ready when {@code /healthz} answers.
 * Always {@link #close() stopped} by the test (SIGTERM, a bounded wait, then SIGKILL).
 */
public final class DaemonProcess implements AutoCloseable {
  /** JVM flags for test daemons: small and quick to start on a busy 2-core machine. */
  /**
   * {@code run} with the admin state, the control socket and the API token off: never the host's
   * /var/lib/lvs-pulse, /run/lvs-pulse or /etc/lvs-pulse/api.token. For a test that builds its own
   * command line (in a namespace, with its own logback, ...); {@link #start} sets them itself.
   */
  public static final List<String> RUN_ADMIN_OFF =
      List.of("run", "--state-dir", "none", "--control-socket", "none", "--api-token-file", "none");

  public static final List<String> TEST_JVM_FLAGS =
      List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private DaemonProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** What a process that ran to its end did. */
  public record Exit(int code, String output) {}

  /**
   * Starts {@code lvs-pulse run ARGS --listen 127.0.0.1:PORT} (a free port) and waits for {@code
   * /healthz}. {@code runArgs} are the arguments after {@code run}.
   */
  public static DaemonProcess start(Path logDir, List<String> runArgs)
      throws IOException, InterruptedException {
    return start(logDir, "run", TEST_JVM_FLAGS, runArgs);
  }

  /** {@link #start(Path, List)} with the daemon's JVM flags (e.g. the systemd unit's). */
  public static DaemonProcess start(Path logDir, List<String> jvmFlags, List<String> runArgs)
      throws IOException, InterruptedException {
    return start(logDir, "run", jvmFlags, runArgs);
  }

  /**
   * Starts {@code lvs-pulse COMMAND ARGS --listen 127.0.0.1:PORT} ({@code run} or {@code demo}) as
   * {@link #start(Path, List)} does; the admin state, control socket and (for {@code run}) token
   * file default to a fresh directory under {@code logDir} and no token.
   */
  public static DaemonProcess start(Path logDir, String command, List<String> runArgs)
      throws IOException, InterruptedException {
    return start(logDir, command, TEST_JVM_FLAGS, runArgs);
  }

  private static DaemonProcess start(
      Path logDir, String command, List<String> jvmFlags, List<String> runArgs)
      throws IOException, InterruptedException {
    int port = freeTcpPort();
    List<String> cmd = new ArrayList<>(javaCommand(jvmFlags));
    cmd.add(command);
    cmd.addAll(runArgs);
    cmd.add("--listen");
    cmd.add("127.0.0.1:" + port);
    Files.createDirectories(logDir);
    // Never the machine's /var/lib/lvs-pulse, /run/lvs-pulse or /etc/lvs-pulse/api.token.
    Path state = logDir.toAbsolutePath().resolve("state-" + port);
    if (!runArgs.contains("--state-dir")) {
      cmd.add("--state-dir");
      cmd.add(state.toString());
    }
    if (!runArgs.contains("--control-socket")) {
      cmd.add("--control-socket");
      cmd.add(state.resolve("control.sock").toString());
    }
    if (command.equals("run") && !runArgs.contains("--api-token-file")) {
      cmd.add("--api-token-file");
      cmd.add("none");
    }
    Path log = Files.createTempFile(logDir, "daemon-", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    DaemonProcess d = new DaemonProcess(p, log, port);
    try {
      d.awaitHealthy();
    } catch (RuntimeException | Error e) {
      d.close();
      throw e;
    }
    return d;
  }

  /**
   * Runs {@code lvs-pulse ARGS} to its end (bounded by {@code timeout}); stdout and stderr merged.
   */
  public static Exit runToExit(Duration timeout, List<String> args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.addAll(args);
    Path out = Files.createTempFile("lvs-pulse-cli-", ".out");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "lvs-pulse "
                + args
                + " did not exit within "
                + timeout
                + ":\n"
                + Files.readString(out));
      }
      return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** {@code java [TEST_JVM_FLAGS] -jar lvs-pulse.jar}. */
  public static List<String> javaCommand() {
    return javaCommand(TEST_JVM_FLAGS);
  }

  /** {@code java [jvmFlags] -jar lvs-pulse.jar}. */
  public static List<String> javaCommand(List<String> jvmFlags) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-jar");
    cmd.add(Peers.jar().toString());
    return cmd;
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private void awaitHealthy() throws InterruptedException {
    try {
      Awaitility.await()
          .atMost(READY_TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new AssertionError(
                      "lvs-pulse exited with "
                          + process.exitValue()
                          + " before /healthz answered:\n"
                          + log());
                }
                Optional<String> body = tryGet("/healthz");
                return body.isPresent() && body.get().strip().equals("ok");
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "lvs-pulse /healthz did not answer within " + READY_TIMEOUT + ":\n" + log());
    }
  }

  private Optional<String> tryGet(String path) {
    try {
      return Optional.of(get(path));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** GETs {@code path} (e.g. {@code /metrics}); a non-200 answer is an {@link IOException}. */
  public String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " answered HTTP " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** /status parsed. */
  public Map<String, Object> status() throws IOException, InterruptedException {
    return MiniJson.object(get("/status"));
  }

  /** /metrics text. */
  public String metrics() throws IOException, InterruptedException {
    return get("/metrics");
  }

  /** The server named {@code server} of virtual {@code virtual} in /status, if listed. */
  @SuppressWarnings("unchecked")
  public static Optional<Map<String, Object>> server(
      Map<String, Object> status, String virtual, String server) {
    for (Object v : (List<Object>) status.get("virtuals")) {
      Map<String, Object> vm = (Map<String, Object>) v;
      if (!virtual.equals(vm.get("name"))) {
        continue;
      }
      for (Object s : (List<Object>) vm.get("servers")) {
        Map<String, Object> sm = (Map<String, Object>) s;
        if (server.equals(sm.get("name"))) {
          return Optional.of(sm);
        }
      }
    }
    return Optional.empty();
  }

  /** The server's entry in a fresh /status, if listed. */
  public Optional<Map<String, Object>> server(String virtual, String server)
      throws IOException, InterruptedException {
    return server(status(), virtual, server);
  }

  /**
   * Polls /status every {@code every} until {@code condition} holds for server {@code
   * virtual/server} (empty = not listed); returns the matching entry, or fails after {@code
   * timeout} with the log.
   */
  public Optional<Map<String, Object>> awaitServer(
      String virtual,
      String server,
      Duration timeout,
      Duration every,
      Predicate<Optional<Map<String, Object>>> condition)
      throws IOException, InterruptedException {
    AtomicReference<Optional<Map<String, Object>>> seen = new AtomicReference<>(Optional.empty());
    try {
      return Awaitility.await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(every)
          .until(
              () -> {
                Optional<Map<String, Object>> now = server(virtual, server);
                seen.set(now);
                if (!condition.test(now)) {
                  assertAlive();
                }
                return now;
              },
              condition);
    } catch (ConditionTimeoutException e) {
      // reported below
    }
    Optional<Map<String, Object>> last = seen.get();
    throw new AssertionError(
        "server "
            + virtual
            + "/"
            + server
            + " did not reach the expected state within "
            + timeout
            + "; last seen: "
            + last
            + "\nlog:\n"
            + log());
  }

  /** Waits until the log has a line matching {@code regex}; returns that line. */
  public String awaitLog(String regex, Duration timeout) throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    try {
      return Awaitility.await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> log().lines().filter(l -> p.matcher(l).find()).findFirst(), Optional::isPresent)
          .orElseThrow();
    } catch (ConditionTimeoutException e) {
      // reported below
    }
    throw new AssertionError(
        "no log line matching /" + regex + "/ within " + timeout + ":\n" + log());
  }

  /** Everything the process has written so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  public Path logFile() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Fails with the log when the process has exited. */
  public void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError("lvs-pulse exited with " + process.exitValue() + ":\n" + log());
    }
  }

  /** Sends SIGHUP with {@code kill -HUP PID}. */
  public void sighup() throws IOException, InterruptedException {
    signal("HUP", pid());
  }

  /** Runs {@code kill -SIG PID} and checks that it worked. */
  public static void signal(String sig, long pid) throws IOException, InterruptedException {
    Process k =
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
    if (!k.waitFor(10, TimeUnit.SECONDS)) {
      k.destroyForcibly();
      throw new AssertionError("kill -" + sig + " " + pid + " hung");
    }
    String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (k.exitValue() != 0) {
      throw new AssertionError(
          "kill -" + sig + " " + pid + " exited " + k.exitValue() + ": " + out);
    }
  }

  /**
   * SIGTERM, then up to 20 s for the JVM to exit, then SIGKILL. Returns the exit code (143 after
   * SIGTERM), or -1 if it had to be killed.
   */
  public int stop() throws InterruptedException {
    if (!process.isAlive()) {
      return process.exitValue();
    }
    process.destroy(); // SIGTERM
    if (process.waitFor(20, TimeUnit.SECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    return -1;
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
