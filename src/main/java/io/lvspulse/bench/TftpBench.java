package io.lvspulse.bench;

import io.lvspulse.exec.ExecProcess;
import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.tftp.TftpCheck;
import io.lvspulse.probe.tftp.TftpProbeEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The TFTP benchmark: RTT against a real tftpd-hpa, then rounds of N servers probed at once,
 * natively and by forking the check_tftp logic ({@code echo get NaGiOs_ChEcK_FiLe | tftp HOST PORT}
 * inside bash), in the same run.
 */
public final class TftpBench {
  /** Settings of one run. */
  public record Settings(
      List<Integer> servers,
      int rounds,
      int forkSample,
      int rttProbes,
      int forkRttProbes,
      Path inTftpd,
      int port,
      Duration timeout,
      int selectorThreads) {}

  /** The watchdog's bound on the life of the tftpd and responder processes a run starts. */
  private static final Duration LIFETIME = Duration.ofHours(6);

  private final Settings s;
  private final PrintWriter out;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private @Nullable Path script; // check_tftp --connect, while run() runs
  private final ExecRunner runner = new ExecRunner();

  public TftpBench(Settings s, PrintWriter out) {
    this.s = s;
    this.out = out;
  }

  /**
   * Runs everything and prints a Markdown table; returns 0 when every probe that should succeed
   * did.
   */
  public int run() throws Exception {
    script = Files.createTempFile("check_tftp_connect", ".sh");
    try (InputStream in = TftpBench.class.getResourceAsStream("check_tftp_connect.sh")) {
      Files.write(script, in.readAllBytes());
    }
    boolean allOk = true;
    List<String> rows = new ArrayList<>();
    out.printf(
        Locale.ROOT,
        "# TFTP probe benchmark (%d CPUs, %d selector threads, %s, %s, load average %.2f)%n",
        Runtime.getRuntime().availableProcessors(),
        s.selectorThreads(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        os.getSystemLoadAverage());
    try (TftpProbeEngine engine =
        new TftpProbeEngine(System::nanoTime, Runnable::run, true, s.selectorThreads())) {
      allOk &= rtt(engine, rows);
      for (int n : s.servers()) {
        allOk &= rounds(engine, n, rows);
      }
    } finally {
      Files.deleteIfExists(script);
    }
    out.println();
    out.println("| measurement | native probe | forked check_tftp | ratio |");
    out.println("|---|---|---|---|");
    rows.forEach(out::println);
    out.flush();
    return allOk ? 0 : 1;
  }

  private boolean rtt(TftpProbeEngine engine, List<String> rows) throws Exception {
    Path root = Files.createTempDirectory("bench-tftproot");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port;
    try (DatagramSocket free = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      port = free.getLocalPort();
    }
    ExecProcess hpa =
        runner.launch(
            ExecRequest.of(
                LIFETIME,
                s.inTftpd().toString(),
                "-L",
                "-a",
                "127.0.0.1:" + port,
                "-s",
                "-u",
                "nobody",
                root.toString()),
            ExecProcess.Options.discard());
    try {
      InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
      TftpCheck check = TftpCheck.connect(addr, s.timeout());
      for (int i = 0;
          i < 100 && !engine.probe(TftpCheck.connect(addr, Duration.ofMillis(100))).get().success();
          i++) {
        Thread.sleep(20);
      }
      for (int i = 0; i < Math.min(500, s.rttProbes()); i++) {
        engine.probe(check).get(); // warm-up
      }
      long[] nat = new long[s.rttProbes()];
      int ok = 0;
      for (int i = 0; i < nat.length; i++) {
        ProbeResult r = engine.probe(check).get();
        ok += r.success() ? 1 : 0;
        nat[i] = r.elapsed().toNanos();
      }
      long[] fork = new long[s.forkRttProbes()];
      int fok = 0;
      for (int i = 0; i < fork.length; i++) {
        long t0 = System.nanoTime();
        fok += fork("127.0.0.1", port) ? 1 : 0;
        fork[i] = System.nanoTime() - t0;
      }
      out.printf(
          Locale.ROOT,
          "rtt vs tftpd-hpa 127.0.0.1:%d: native %d/%d ok, forked %d/%d ok%n",
          port,
          ok,
          nat.length,
          fok,
          fork.length);
      rows.add(
          row(
              "connect RTT vs tftpd-hpa, median",
              ms(pct(nat, 50)),
              ms(pct(fork, 50)),
              pct(fork, 50) / (double) pct(nat, 50)));
      rows.add(
          row(
              "connect RTT vs tftpd-hpa, p99",
              ms(pct(nat, 99)),
              ms(pct(fork, 99)),
              pct(fork, 99) / (double) pct(nat, 99)));
      return ok == nat.length && fok == fork.length;
    } finally {
      hpa.stop(Duration.ofSeconds(5));
      Files.deleteIfExists(root);
    }
  }

  private boolean rounds(TftpProbeEngine withIcmp, int n, List<String> rows) throws Exception {
    ExecProcess responder = startResponder(n);
    try (TftpProbeEngine oneSocket =
        new TftpProbeEngine(System::nanoTime, Runnable::run, false, s.selectorThreads())) {
      List<InetSocketAddress> addresses = BenchResponder.addresses(n, s.port());
      List<TftpCheck> checks = new ArrayList<>();
      for (InetSocketAddress a : addresses) {
        checks.add(TftpCheck.connect(a, s.timeout()));
      }
      long fdLimit =
          ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
      boolean ok = true;
      long single0 = withIcmp.oneSocketProbes();
      double[] twoSockets = nativeRounds(withIcmp, checks);
      long single = withIcmp.oneSocketProbes() - single0;
      long total = (long) n * (s.rounds() + 1);
      out.printf(
          Locale.ROOT,
          "N=%d: %d of %d probes had the connected socket (open-files limit %d)%n",
          n,
          total - single,
          total,
          fdLimit);
      ok &= twoSockets[3] == 1;
      double[] one = nativeRounds(oneSocket, checks);
      ok &= one[3] == 1;

      // forked: a sample of the same servers, as many in parallel as there are CPUs
      int sample = Math.min(n, s.forkSample());
      int par = Runtime.getRuntime().availableProcessors();
      ExecutorService pool = Executors.newFixedThreadPool(par);
      long child0 = childCpuNanos();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      List<Future<Boolean>> fs = new ArrayList<>();
      for (int i = 0; i < sample; i++) {
        InetSocketAddress a = addresses.get(i * (n / sample));
        fs.add(pool.submit(() -> fork(a.getAddress().getHostAddress(), a.getPort())));
      }
      int fok = 0;
      for (Future<Boolean> f : fs) {
        fok += f.get() ? 1 : 0;
      }
      long fwall = System.nanoTime() - t0;
      pool.shutdown();
      long fcpu = (childCpuNanos() - child0) + (os.getProcessCpuTime() - cpu0);
      double forkRate = sample / (fwall / 1e9);
      double forkCpuPer1000 = fcpu / 1e9 / sample * 1000;
      out.printf(
          Locale.ROOT,
          "N=%d: forked sample %d (%d in parallel): %d ok, %.1f s wall, %.2f CPU s per 1000%n",
          n,
          sample,
          par,
          fok,
          fwall / 1e9,
          forkCpuPer1000);
      ok &= fok == sample;
      String forkRound = String.format(Locale.ROOT, "%.1f s (extrapolated)", n / forkRate);
      String fast =
          single == 0
              ? "2 sockets/probe"
              : String.format(
                  Locale.ROOT, "2 sockets/probe for %.0f%%", 100.0 * (total - single) / total);
      addRows(rows, "N=" + n + ", " + fast, n, twoSockets, forkRound, forkRate, forkCpuPer1000);
      addRows(rows, "N=" + n + ", 1 socket/probe", n, one, forkRound, forkRate, forkCpuPer1000);
      return ok;
    } finally {
      responder.closeStdin();
      if (!responder.waitFor(Duration.ofSeconds(5))) {
        responder.stop(Duration.ofSeconds(5));
      }
    }
  }

  private static void addRows(
      List<String> rows,
      String label,
      int n,
      double[] m,
      String forkRound,
      double forkRate,
      double forkCpu) {
    rows.add(
        row(
            label + ": wall time of one round (best / mean / worst)",
            String.format(Locale.ROOT, "%.3f s / %.3f s / %.3f s", m[5], m[0], m[4]),
            forkRound,
            (n / forkRate) / m[0]));
    rows.add(
        row(
            label + ": probes per second",
            String.format(Locale.ROOT, "%.0f", n / m[0]),
            String.format(Locale.ROOT, "%.0f", forkRate),
            (n / m[0]) / forkRate));
    rows.add(
        row(
            label + ": CPU seconds per 1,000 probes",
            String.format(Locale.ROOT, "%.4f", m[2]),
            String.format(Locale.ROOT, "%.2f", forkCpu),
            forkCpu / m[2]));
  }

  /**
   * Returns {mean round s, probes/s, CPU s per 1000, all ok (1/0), worst round s, best round s}.
   */
  private double[] nativeRounds(TftpProbeEngine engine, List<TftpCheck> checks) throws Exception {
    round(engine, checks); // warm-up
    long wallSum = 0;
    long cpuSum = 0;
    long worst = 0;
    long best = Long.MAX_VALUE;
    long ok = 0;
    for (int r = 0; r < s.rounds(); r++) {
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      ok += round(engine, checks);
      long wall = System.nanoTime() - t0;
      cpuSum += os.getProcessCpuTime() - cpu0;
      wallSum += wall;
      worst = Math.max(worst, wall);
      best = Math.min(best, wall);
    }
    long probes = (long) checks.size() * s.rounds();
    double mean = wallSum / 1e9 / s.rounds();
    double cpuPer1000 = cpuSum / 1e9 / probes * 1000;
    out.printf(
        Locale.ROOT,
        "N=%d native: %d rounds, %d/%d ok, mean round %.3f s, best %.3f s, worst %.3f s, %.4f CPU s per 1000, load average %.2f%n",
        checks.size(),
        s.rounds(),
        ok,
        probes,
        mean,
        best / 1e9,
        worst / 1e9,
        cpuPer1000,
        os.getSystemLoadAverage());
    return new double[] {
      mean, checks.size() / mean, cpuPer1000, ok == probes ? 1 : 0, worst / 1e9, best / 1e9
    };
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
            System.getProperty("java.class.path"),
            BenchResponder.class.getName(),
            Integer.toString(n),
            Integer.toString(s.port())));
  }

  /** Probes every check at once; returns the number of successes. */
  private static int round(TftpProbeEngine engine, List<TftpCheck> checks) throws Exception {
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>(checks.size());
    for (TftpCheck c : checks) {
      fs.add(engine.probe(c));
    }
    int ok = 0;
    for (CompletableFuture<ProbeResult> f : fs) {
      ok += f.get().success() ? 1 : 0;
    }
    return ok;
  }

  /**
   * Runs the check_tftp --connect logic once (bash + tftp-hpa); true on "OK - answer from server".
   */
  /**
   * The one process of this package that does not go through {@link ExecRunner}, on purpose: it is
   * what is measured, Piranha's nanny forking check_tftp with a bare fork/exec. Through the runner
   * it also pays for the runner's pump and watchdog threads (on 2 busy CPUs, 200 forks: 1.6 s
   * instead of 1.1 s, 8.3 instead of 7.9 CPU s per 1,000), which would flatter the native probe.
   */
  private boolean fork(String host, int port) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "bash", Objects.requireNonNull(script).toString(), host, Integer.toString(port))
            .redirectErrorStream(true)
            .start();
    byte[] o = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return false;
    }
    return p.exitValue() == 0
        && new String(o, StandardCharsets.UTF_8).startsWith("OK - answer from server");
  }

  /** CPU time of reaped children (cutime + cstime from /proc/self/stat, USER_HZ = 100). */
  private static long childCpuNanos() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10_000_000L;
  }

  private static long pct(long[] v, int p) {
    long[] c = v.clone();
    Arrays.sort(c);
    int i = (int) Math.ceil(p / 100.0 * c.length) - 1;
    return c[Math.max(0, Math.min(c.length - 1, i))];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  private static String row(String what, String nat, String fork, double ratio) {
    return String.format(Locale.ROOT, "| %s | %s | %s | %.0fx |", what, nat, fork, ratio);
  }
}
