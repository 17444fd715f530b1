package io.lvspulse.cli;

import io.lvspulse.bench.TftpBench;
import io.lvspulse.probe.tftp.TftpProbeEngine;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
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
    subcommands = {BenchCommand.Tftp.class, io.lvspulse.bench.IpvsBenchCommand.class})
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

    @Option(names = "--servers", split = ",", defaultValue = "1000,10000", description = "Server counts (default ${DEFAULT-VALUE}).")
    List<Integer> servers;

    @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds per N (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--fork-sample", defaultValue = "400", description = "Forked probes per N (default ${DEFAULT-VALUE}).")
    int forkSample;

    @Option(names = "--rtt-probes", defaultValue = "2000", description = "Sequential native probes for the RTT (default ${DEFAULT-VALUE}).")
    int rttProbes;

    @Option(names = "--fork-rtt-probes", defaultValue = "100", description = "Sequential forked probes for the RTT (default ${DEFAULT-VALUE}).")
    int forkRttProbes;

    @Option(names = "--in-tftpd", defaultValue = "/var/tmp/lvs-pulse-lab/cache/root-tftpd-hpa/usr/sbin/in.tftpd", description = "tftpd-hpa binary.")
    Path inTftpd;

    @Option(names = "--port", defaultValue = "6969", description = "UDP port of the synthetic servers (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--timeout", defaultValue = "5", description = "Probe timeout in seconds (default ${DEFAULT-VALUE}).")
    BigDecimal timeout;

    @Option(names = "--selector-threads", description = "Selector threads of the engine (default: one per CPU, at most 4).")
    Integer selectorThreads;

    @Override
    public Integer call() throws Exception {
      TftpBench.Settings s = new TftpBench.Settings(servers, rounds, forkSample, rttProbes, forkRttProbes, inTftpd, port,
          Duration.ofMillis(timeout.movePointRight(3).longValue()),
          selectorThreads != null ? selectorThreads : TftpProbeEngine.defaultSelectorThreads());
      return new TftpBench(s, spec.commandLine().getOut()).run();
    }
  }
}
