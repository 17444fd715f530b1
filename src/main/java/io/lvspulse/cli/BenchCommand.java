package io.lvspulse.cli;

import io.lvspulse.bench.DaemonBench;
import io.lvspulse.bench.TftpBench;
import io.lvspulse.probe.tftp.TftpProbeEngine;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench}: benchmarks (run by hand; never part of the test suite). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Benchmarks.",
    subcommands = {
      BenchCommand.Tftp.class,
      io.lvspulse.bench.IpvsBenchCommand.class,
      BenchCommand.DaemonCmd.class
    })
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code bench tftp}. */
  @Command(
      name = "tftp",
      mixinStandardHelpOptions = true,
      versionProvider = Main.Version.class,
      description = {
        "TFTP connect probes: RTT against a real tftpd-hpa, then N synthetic servers (127.10.x.y) probed at once,",
        "natively and by forking the check_tftp logic (bash + tftp-hpa client), in the same run.",
        "Needs about 2*N open files for the 2-sockets-per-probe mode (it falls back to one socket per probe above the limit)."
      })
  static final class Tftp implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--servers",
        split = ",",
        defaultValue = "1000,10000",
        description = "Server counts (default ${DEFAULT-VALUE}).")
    List<Integer> servers;

    @Option(
        names = "--rounds",
        defaultValue = "5",
        description = "Measured rounds per N (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
        names = "--fork-sample",
        defaultValue = "400",
        description = "Forked probes per N (default ${DEFAULT-VALUE}).")
    int forkSample;

    @Option(
        names = "--rtt-probes",
        defaultValue = "2000",
        description = "Sequential native probes for the RTT (default ${DEFAULT-VALUE}).")
    int rttProbes;

    @Option(
        names = "--fork-rtt-probes",
        defaultValue = "100",
        description = "Sequential forked probes for the RTT (default ${DEFAULT-VALUE}).")
    int forkRttProbes;

    @Option(
        names = "--in-tftpd",
        defaultValue = "/var/tmp/lvs-pulse-lab/cache/root-tftpd-hpa/usr/sbin/in.tftpd",
        description = "tftpd-hpa binary.")
    Path inTftpd;

    @Option(
        names = "--port",
        defaultValue = "6969",
        description = "UDP port of the synthetic servers (default ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--timeout",
        defaultValue = "5",
        description = "Probe timeout in seconds (default ${DEFAULT-VALUE}).")
    BigDecimal timeout;

    @Option(
        names = "--selector-threads",
        description = "Selector threads of the engine (default: one per CPU, at most 4).")
    @Nullable Integer selectorThreads;

    @Override
    public Integer call() throws Exception {
      TftpBench.Settings s =
          new TftpBench.Settings(
              servers,
              rounds,
              forkSample,
              rttProbes,
              forkRttProbes,
              inTftpd,
              port,
              Duration.ofMillis(timeout.movePointRight(3).longValue()),
              selectorThreads != null ? selectorThreads : TftpProbeEngine.defaultSelectorThreads());
      return new TftpBench(s, spec.commandLine().getOut()).run();
    }
  }

  /** {@code bench daemon}. */
  @Command(
      name = "daemon",
      mixinStandardHelpOptions = true,
      versionProvider = Main.Version.class,
      description = {
        "The real daemon process (this jar, `run --ipvs dry-run --no-failover`, the systemd unit's JVM flags),",
        "measured from outside: dead-server detection latency (a real tftpd-hpa killed or frozen; /status polled",
        "every 50 ms) and VmRSS with N real servers on 127.10.x.y (answered by a synthetic responder process).",
        "Run as root (tftpd-hpa on 127.0.0.31:69 drops to nobody) under 'ulimit -n 65536'. Exit 0 when the targets are met."
      })
  static final class DaemonCmd implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--jar", description = "The shaded jar to run (default: this one).")
    @Nullable Path jar;

    @Option(
        names = "--jvm-flags",
        split = " ",
        description = "JVM flags of the daemon (default: the systemd unit's JAVA_OPTS).")
    @Nullable List<String> jvmFlags;

    @Option(
        names = "--in-tftpd",
        defaultValue = "/var/tmp/lvs-pulse-lab/cache/root-tftpd-hpa/usr/sbin/in.tftpd",
        description = "tftpd-hpa binary.")
    Path inTftpd;

    @Option(
        names = "--runs",
        defaultValue = "5",
        description = "Detection measurements per kind, 0 to skip (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(
        names = "--timeout",
        defaultValue = "2",
        description =
            "The virtual's timeout for the detection runs, seconds (default ${DEFAULT-VALUE}).")
    int timeout;

    @Option(
        names = "--servers",
        split = ",",
        defaultValue = "1000,10000",
        description = "Server counts for the RSS runs; 0 to skip (default ${DEFAULT-VALUE}).")
    List<Integer> servers;

    @Option(
        names = "--rss-timeout",
        defaultValue = "6",
        description = "The virtual's timeout for the RSS runs, seconds (default ${DEFAULT-VALUE}).")
    int rssTimeout;

    @Option(
        names = "--settle",
        defaultValue = "60",
        description =
            "Seconds of RSS sampling once every server is probed (default ${DEFAULT-VALUE}).")
    int settle;

    @Option(
        names = "--no-responder",
        description = "Leave the RSS runs' servers unanswered (they all go down).")
    boolean noResponder;

    @Option(
        names = "--port",
        defaultValue = "7969",
        description = "UDP port of the synthetic servers (default ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--probe-timeout-ms",
        defaultValue = "900",
        description =
            "Also measure a frozen server with the extension key probe_timeout = this many ms; 0 to skip (default ${DEFAULT-VALUE}).")
    int probeTimeoutMs;

    @Option(
        names = "--histogram",
        description =
            "Print the top of jcmd GC.class_histogram after every RSS run (always when over 128 MB).")
    boolean histogram;

    @Override
    public Integer call() throws Exception {
      Path j =
          jar != null
              ? jar
              : Path.of(
                  BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      List<Integer> counts = servers.stream().filter(n -> n > 0).toList();
      DaemonBench.Settings s =
          new DaemonBench.Settings(
              j,
              jvmFlags == null ? DaemonBench.SYSTEMD_JAVA_OPTS : jvmFlags,
              inTftpd,
              runs,
              timeout,
              counts,
              rssTimeout,
              Duration.ofSeconds(settle),
              !noResponder,
              port,
              histogram,
              probeTimeoutMs > 0
                  ? java.util.Optional.of(Duration.ofMillis(probeTimeoutMs))
                  : java.util.Optional.empty());
      return new DaemonBench(s, spec.commandLine().getOut()).run();
    }
  }
}
