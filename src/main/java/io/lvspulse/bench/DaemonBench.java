package io.lvspulse.bench;

import io.lvspulse.exec.ExecProcess;
import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Benchmarks of the real daemon process ({@code java -jar lvs-pulse.jar run --ipvs dry-run
 * --no-failover}, started with the systemd unit's JVM flags), measured from outside:
 *
 * <ul>
 *   <li>dead-server detection latency: a real tftpd-hpa is killed (SIGTERM: the port then answers
 *       ICMP port unreachable) or frozen (SIGSTOP: silence, so only the probe timeout tells);
 *       /status is polled every 50 ms until the server is down at weight 0;
 *   <li>resident memory (VmRSS from /proc/PID/status) with N real servers on 127.10.x.y, answered
 *       by {@link BenchResponder} in a separate process (so every server is up and in the table),
 *       or by nothing ({@code --no-responder}: every server goes down).
 * </ul>
 */
public final class DaemonBench {
  /** {@code JAVA_OPTS} of systemd/lvs-pulse.service (a unit test keeps them in step). */
  public static final List<String> SYSTEMD_JAVA_OPTS =
      List.of(
          "-Xms16m",
          "-Xmx64m",
          "-Xmn8m",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=20",
          "-Xss256k",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-XX:MaxMetaspaceSize=64m",
          "-XX:ReservedCodeCacheSize=32m",
          "-XX:+ExitOnOutOfMemoryError");

  private static final Duration POLL = Duration.ofMillis(50);

  /** Output kept from {@code jcmd GC.class_histogram} (its "Total" line is the last). */
  private static final int HISTOGRAM_BYTES = 64 << 20;

  /** The watchdog's bound on the life of each process a run starts (the tree is killed then). */
  private static final Duration LIFETIME = Duration.ofHours(6);

  /**
   * Settings of one run.
   *
   * @param jar the shaded jar to run
   * @param jvmFlags flags of the daemon's JVM
   * @param inTftpd tftpd-hpa's binary
   * @param runs detection measurements per kind (kill, freeze)
   * @param timeoutSeconds the virtual's {@code timeout} for the detection runs
   * @param servers server counts for the RSS runs (empty: skip)
   * @param rssTimeoutSeconds the virtual's {@code timeout} for the RSS runs
   * @param settle how long to sample RSS after every server has been probed
   * @param responder answer the RSS runs' servers with {@link BenchResponder}
   * @param port UDP port of the responder
   * @param histogram print the top of {@code jcmd PID GC.class_histogram} after each RSS run
   * @param probeTimeout if set, also measure a frozen server with this {@code probe_timeout}
   */
  public record Settings(
      Path jar,
      List<String> jvmFlags,
      Path inTftpd,
      int runs,
      int timeoutSeconds,
      List<Integer> servers,
      int rssTimeoutSeconds,
      Duration settle,
      boolean responder,
      int port,
      boolean histogram,
      Optional<Duration> probeTimeout) {}

  private final Settings s;
  private final PrintWriter out;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path work;
  private final ExecRunner runner = new ExecRunner();

  public DaemonBench(Settings s, PrintWriter out) throws IOException {
    this.s = s;
    this.out = out;
    this.work = Files.createTempDirectory("lvs-pulse-bench-daemon");
  }

  /** Runs everything; returns 0 when every measurement completed and met its target. */
  public int run() throws Exception {
    boolean ok = true;
    out.printf(
        Locale.ROOT,
        "# daemon benchmark (%d CPUs, %s %s), daemon JVM flags: %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        String.join(" ", s.jvmFlags()));
    out.flush();
    try {
      if (s.runs() > 0) {
        ok &= detection();
      }
      if (!s.servers().isEmpty()) {
        out.printf(
            Locale.ROOT,
            "%nResident memory, timeout = %d s, %d s of sampling after every server was probed:%n%n",
            s.rssTimeoutSeconds(),
            s.settle().toSeconds());
        rssHeader();
      }
      for (int n : s.servers()) {
        ok &= rss(n);
      }
    } finally {
      deleteTree(work);
    }
    out.flush();
    return ok ? 0 : 1;
  }

  // ---------------------------------------------------------------- detection latency

  private boolean detection() throws Exception {
    Path root = Files.createDirectory(work.resolve("tftp-root"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    int t = s.timeoutSeconds();
    List<Double> killed = new ArrayList<>();
    List<Double> frozen = new ArrayList<>();
    measure(root, Optional.empty(), killed, frozen);
    List<Double> frozenShort = new ArrayList<>();
    if (s.probeTimeout().isPresent()) {
      measure(root, s.probeTimeout(), null, frozenShort);
    }
    double target = t + 1.0;
    out.println();
    out.printf(
        Locale.ROOT,
        "Dead-server detection, timeout = %d s, %d runs each, /status polled every %d ms:%n%n",
        t,
        s.runs(),
        POLL.toMillis());
    out.println(
        "| server | probe timeout | median | max | worst case by design | target (timeout + 1 s) |");
    out.println("|---|---|---|---|---|---|");
    out.printf(
        Locale.ROOT,
        "| killed (ICMP port unreachable) | %d s | %.2f s | %.2f s | interval = %d s | %.0f s: %s |%n",
        t,
        median(killed),
        max(killed),
        t,
        target,
        max(killed) <= target ? "met" : "MISSED");
    out.printf(
        Locale.ROOT,
        "| frozen (SIGSTOP, silent) | %d s | %.2f s | %.2f s | interval + probe timeout = %d s | %.0f s: %s |%n",
        t,
        median(frozen),
        max(frozen),
        2 * t,
        target,
        max(frozen) <= target ? "met" : "missed");
    if (s.probeTimeout().isPresent()) {
      double pt = s.probeTimeout().get().toMillis() / 1000.0;
      out.printf(
          Locale.ROOT,
          "| frozen (SIGSTOP, silent) | %.1f s (`probe_timeout`) | %.2f s | %.2f s | interval + probe timeout = %.1f s | %.0f s: %s |%n",
          pt,
          median(frozenShort),
          max(frozenShort),
          t + pt,
          target,
          max(frozenShort) <= target ? "met" : "missed");
    }
    out.println();
    out.flush();
    return max(killed) <= target;
  }

  /** One daemon, one tftpd-hpa on 127.0.0.31:69; {@code s.runs()} kills and/or freezes. */
  private void measure(
      Path root,
      Optional<Duration> probeTimeout,
      @Nullable List<Double> killed,
      @Nullable List<Double> frozen)
      throws Exception {
    String host = "127.0.0.31";
    int t = s.timeoutSeconds();
    Path cfg = work.resolve("detect.lvs.cf");
    StringBuilder c = header(1);
    c.append(virtual("tftp", 1, "203.0.113.31", t, t, "/usr/local/bin/check_tftp --connect %h"));
    probeTimeout.ifPresent(d -> c.append(" probe_timeout = ").append(d.toMillis()).append("ms\n"));
    c.append(server("ftp1", host)).append("}\n");
    Files.writeString(cfg, c);
    ExecProcess tftpd = startTftpd(host, root);
    DaemonProcess d = startDaemon(cfg, work.resolve("detect.log"));
    Duration wait = Duration.ofSeconds(4L * t + 10);
    try {
      awaitState(d, "ftp1", "up", Duration.ofSeconds(60));
      for (int i = 0; i < s.runs(); i++) {
        StringBuilder line =
            new StringBuilder(
                "run "
                    + (i + 1)
                    + probeTimeout.map(x -> " (probe_timeout " + x.toMillis() + " ms)").orElse("")
                    + ":");
        if (killed != null) {
          // Kill: the next probe gets ICMP port unreachable.
          stop(tftpd);
          killed.add(awaitState(d, "ftp1", "down", wait));
          tftpd = startTftpd(host, root);
          awaitState(d, "ftp1", "up", wait);
          line.append(
              String.format(
                  Locale.ROOT, " killed -> down in %.2f s", killed.get(killed.size() - 1)));
        }
        if (frozen != null) {
          // Freeze: no answer at all; only the probe timeout tells.
          signal("STOP", tftpd.pid());
          frozen.add(awaitState(d, "ftp1", "down", wait));
          signal("CONT", tftpd.pid());
          awaitState(d, "ftp1", "up", wait);
          line.append(
              String.format(
                  Locale.ROOT, " frozen -> down in %.2f s", frozen.get(frozen.size() - 1)));
        }
        out.println(line);
        out.flush();
      }
    } finally {
      d.close();
      stop(tftpd);
    }
  }

  private ExecProcess startTftpd(String host, Path root) throws Exception {
    ExecProcess p =
        runner.launch(
            ExecRequest.of(
                LIFETIME,
                s.inTftpd().toString(),
                "-L",
                "-a",
                host + ":69",
                "-s",
                "-u",
                "nobody",
                root.toString()),
            ExecProcess.Options.discard());
    Thread.sleep(200);
    if (!p.isAlive()) {
      throw new IOException(
          "in.tftpd on "
              + host
              + ":69 exited with "
              + p.exitCode().orElse(-1)
              + " (address in use?)");
    }
    return p;
  }

  private void stop(ExecProcess p) throws InterruptedException {
    if (!p.isAlive()) {
      return;
    }
    try {
      signal("CONT", p.pid());
    } catch (IOException e) {
      // gone
    }
    p.stop(Duration.ofSeconds(5));
  }

  private void signal(String sig, long pid) throws IOException {
    ExecResult k =
        runner.run(ExecRequest.of(Duration.ofSeconds(10), "kill", "-" + sig, Long.toString(pid)));
    if (!k.succeeded()) {
      throw new IOException("kill -" + sig + " " + pid + " failed: " + k.describe());
    }
  }

  /**
   * Polls /status?format=text until {@code server} is in {@code state} (down: and weight 0/-);
   * returns seconds.
   */
  private double awaitState(DaemonProcess d, String server, String state, Duration timeout)
      throws Exception {
    Pattern row =
        Pattern.compile(
            "(?m)^\\S+\\s+" + Pattern.quote(server) + "\\s+\\S+\\s+(\\S+)\\s+(\\S+)\\s");
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> text = d.get("/status?format=text");
      if (text.isPresent()) {
        Matcher m = row.matcher(text.get());
        if (m.find()
            && m.group(1).equals(state)
            && (!state.equals("down") || m.group(2).equals("0") || m.group(2).equals("-"))) {
          return (System.nanoTime() - t0) / 1e9;
        }
      }
      if (!d.process().isAlive()) {
        throw new IOException("the daemon exited: " + d.tail());
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IOException(server + " not " + state + " within " + timeout + "; log: " + d.tail());
  }

  // ---------------------------------------------------------------- RSS

  private boolean rss(int n) throws Exception {
    int perVirtual = 1000;
    Path cfg = work.resolve("rss-" + n + ".lvs.cf");
    StringBuilder c = header(1);
    List<InetSocketAddress> addrs = BenchResponder.addresses(n, s.port());
    for (int v = 0; v * perVirtual < n; v++) {
      c.append(
          virtual(
              "v" + v,
              100 + v,
              "203.0.113." + (v % 250 + 1),
              s.rssTimeoutSeconds(),
              s.rssTimeoutSeconds(),
              "/usr/local/bin/check_tftp --connect %h -p " + s.port()));
      for (int i = v * perVirtual; i < Math.min(n, (v + 1) * perVirtual); i++) {
        c.append(server("s" + i, addrs.get(i).getAddress().getHostAddress()));
      }
      c.append("}\n");
    }
    Files.writeString(cfg, c);
    ExecProcess responder = s.responder() ? startResponder(n) : null;
    DaemonProcess d = null;
    try {
      long t0 = System.nanoTime();
      d = startDaemon(cfg, work.resolve("rss-" + n + ".log"));
      double started = (System.nanoTime() - t0) / 1e9;
      String want = s.responder() ? "up" : "down";
      long deadline =
          System.nanoTime() + Duration.ofSeconds(3L * s.rssTimeoutSeconds() + 120).toNanos();
      int count = 0;
      while (System.nanoTime() < deadline) {
        count = countState(d, want);
        if (count >= n) {
          break;
        }
        Thread.sleep(1000);
      }
      double settled = (System.nanoTime() - t0) / 1e9;
      long maxRss = 0;
      long last = 0;
      long end = System.nanoTime() + s.settle().toNanos();
      while (System.nanoTime() < end) {
        last = vmKb(d.process().pid(), "VmRSS");
        maxRss = Math.max(maxRss, last);
        Thread.sleep(1000);
      }
      last = vmKb(d.process().pid(), "VmRSS");
      maxRss = Math.max(maxRss, last);
      long hwm = vmKb(d.process().pid(), "VmHWM");
      String metrics = d.get("/metrics").orElse("");
      double heap = sumMetric(metrics, "jvm_memory_used_bytes", "area=\"heap\"");
      double nonHeap = sumMetric(metrics, "jvm_memory_used_bytes", "area=\"nonheap\"");
      long probes = (long) sumMetric(metrics, "lvs_pulse_probes_total", "");
      boolean met = maxRss < 128 * 1024;
      out.printf(
          Locale.ROOT,
          "| %,d | %s | %d/%d %s | %.1f s | %.1f s | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %,d | %s |%n",
          n,
          s.responder() ? "BenchResponder" : "nothing (all down)",
          count,
          n,
          want,
          started,
          settled,
          last / 1024.0,
          maxRss / 1024.0,
          hwm / 1024.0,
          heap / 1048576.0,
          probes,
          met ? "met" : "OVER");
      out.printf(Locale.ROOT, "  (non-heap used %.1f MB)%n", nonHeap / 1048576.0);
      out.flush();
      if (s.histogram() || !met) {
        histogram(d.process().pid());
      }
      return met && count >= n;
    } finally {
      if (d != null) {
        d.close();
      }
      if (responder != null) {
        responder.closeStdin();
        if (!responder.waitFor(Duration.ofSeconds(10))) {
          responder.stop(Duration.ZERO);
        }
      }
    }
  }

  /** Prints the RSS table header (call once before the RSS runs). */
  public void rssHeader() {
    out.println(
        "| servers | answered by | state | HTTP up after | all probed after | VmRSS end | VmRSS max | VmHWM | heap used | probes | target < 128 MB |");
    out.println("|---|---|---|---|---|---|---|---|---|---|---|");
  }

  private int countState(DaemonProcess d, String state) throws Exception {
    Optional<String> text = d.get("/status?format=text");
    if (text.isEmpty()) {
      return 0;
    }
    Pattern p = Pattern.compile("^\\S+\\s+\\S+\\s+\\S+\\s+" + state + "\\s");
    int n = 0;
    for (String line : text.get().split("\n")) {
      if (p.matcher(line).find()) {
        n++;
      }
    }
    return n;
  }

  private void histogram(long pid) throws Exception {
    ExecResult r =
        runner.run(
            ExecRequest.of(Duration.ofSeconds(60), "jcmd", Long.toString(pid), "GC.class_histogram")
                .withMaxOutputBytes(HISTOGRAM_BYTES));
    List<String> lines = new ArrayList<>(r.stdout().lines().toList());
    lines.addAll(r.stderr().lines().toList());
    out.println("  jcmd " + pid + " GC.class_histogram (top 20):");
    for (String l : lines.subList(0, Math.min(23, lines.size()))) {
      out.println("    " + l);
    }
    lines.stream()
        .filter(l -> l.startsWith("Total"))
        .findFirst()
        .ifPresent(l -> out.println("    " + l));
    out.flush();
  }

  private ExecProcess startResponder(int n) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return BenchResponder.launch(
        runner,
        ExecRequest.of(
            LIFETIME,
            java,
            "-Xss256k",
            "-cp",
            s.jar().toString(),
            BenchResponder.class.getName(),
            Integer.toString(n),
            Integer.toString(s.port())));
  }

  static long vmKb(long pid, String field) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (l.startsWith(field + ":")) {
        return Long.parseLong(l.substring(field.length() + 1).replace("kB", "").strip());
      }
    }
    throw new IOException("no " + field + " in /proc/" + pid + "/status");
  }

  static double sumMetric(String metrics, String name, String labelFragment) {
    double sum = 0;
    for (String l : metrics.split("\n")) {
      if ((l.startsWith(name + "{") || l.startsWith(name + " ")) && l.contains(labelFragment)) {
        sum += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------- the daemon process

  /** The lvs-pulse daemon as a process this benchmark started, with its log file and HTTP port. */
  private final class DaemonProcess implements AutoCloseable {
    private final ExecProcess process;
    private final Path log;
    private final int port;

    DaemonProcess(ExecProcess process, Path log, int port) {
      this.process = process;
      this.log = log;
      this.port = port;
    }

    ExecProcess process() {
      return process;
    }

    Optional<String> get(String path) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }

    String tail() {
      try {
        List<String> l = Files.readAllLines(log);
        return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size()));
      } catch (IOException e) {
        return e.toString();
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.stop(Duration.ofSeconds(20));
    }
  }

  private DaemonProcess startDaemon(Path cfg, Path log) throws Exception {
    int port;
    try (ServerSocket ss = new ServerSocket()) {
      ss.bind(new InetSocketAddress("127.0.0.1", 0));
      port = ss.getLocalPort();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(s.jvmFlags());
    cmd.addAll(
        List.of(
            "-jar",
            s.jar().toString(),
            "run",
            "--config",
            cfg.toString(),
            "--ipvs",
            "dry-run",
            "--no-failover",
            "--listen",
            "127.0.0.1:" + port));
    ExecProcess p = runner.launch(ExecRequest.of(LIFETIME, cmd), ExecProcess.Options.toFile(log));
    DaemonProcess d = new DaemonProcess(p, log, port);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (d.get("/healthz").isPresent()) {
        return d;
      }
      if (!p.isAlive()) {
        throw new IOException(
            "the daemon exited with " + p.exitCode().orElse(-1) + ": " + d.tail());
      }
      Thread.sleep(100);
    }
    d.close();
    throw new IOException("the daemon's /healthz did not answer within 120 s: " + d.tail());
  }

  // ---------------------------------------------------------------- config text

  private static StringBuilder header(int serial) {
    return new StringBuilder(
        "serial_no = " + serial + "\nprimary = 192.0.2.1\nservice = lvs\nnetwork = direct\n");
  }

  private static String virtual(
      String name, int mark, String vip, int timeout, int reentry, String program) {
    return "virtual "
        + name
        + " {\n active = 1\n address = "
        + vip
        + " eth0:1\n vip_nmask = 255.255.255.0\n fwmark = "
        + mark
        + "\n port = 69\n persistent = 45\n expect = \"OK - answer from server\"\n use_regex = 0\n send_program = \""
        + program
        + "\"\n load_monitor = none\n scheduler = wlc\n protocol = udp\n timeout = "
        + timeout
        + "\n reentry = "
        + reentry
        + "\n quiesce_server = 1\n";
  }

  private static String server(String name, String address) {
    return " server " + name + " {\n  address = " + address + "\n  active = 1\n  weight = 1\n }\n";
  }

  private static double median(List<Double> l) {
    List<Double> c = new ArrayList<>(l);
    Collections.sort(c);
    int n = c.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2;
  }

  private static double max(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static void deleteTree(Path p) {
    try (Stream<Path> w = Files.walk(p)) {
      w.sorted(Collections.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException e) {
      // temp leftovers are harmless
    }
  }
}
