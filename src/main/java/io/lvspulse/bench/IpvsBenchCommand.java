package io.lvspulse.bench;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.ipvs.ForwardingMethod;
import io.lvspulse.ipvs.IpAddresses;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.IpvsadmBackend;
import io.lvspulse.ipvs.ServiceKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lvs-pulse bench ipvs}: N weight changes as ONE {@code ipvsadm -R} batch (what lvs-pulse
 * does) versus N separate ipvsadm executions (what Piranha's nanny does), against a local fake
 * ipvsadm and against the real IPVS kernel of a lab director. Prints a Markdown table.
 *
 * <p>A standalone command: attach it to the {@code bench} parent as a subcommand.
 */
@Command(
    name = "ipvs",
    mixinStandardHelpOptions = true,
    description = {
      "Measures N weight changes in one ipvsadm -R batch versus N separate ipvsadm execs.",
      "Against a local fake ipvsadm (exec cost only) and, if it answers, the IPVS test VM wrapper."
    })
public final class IpvsBenchCommand implements Callable<Integer> {

  @Option(
      names = "--changes",
      defaultValue = "1000",
      description = "weight changes against the local fake (default ${DEFAULT-VALUE})")
  int changes;

  @Option(
      names = "--vm-changes",
      defaultValue = "200",
      description = "weight changes against the real kernel (default ${DEFAULT-VALUE}; 0 = skip)")
  int vmChanges;

  @Option(
      names = "--vm-ipvsadm",
      description =
          "ipvsadm for the real kernel (default: env LVS_PULSE_IPVSADM, else /sbin/ipvsadm); a lab"
              + " director's: $(lab/bin/lab director ipvsadm NAME)")
  @Nullable Path vmIpvsadm;

  @Option(
      names = "--fake-ipvsadm",
      description = "the local double (default: a generated script that reads stdin and exits 0)")
  @Nullable Path fakeIpvsadm;

  @Option(
      names = "--repeat",
      defaultValue = "3",
      description = "batch runs per target; the median is reported (default ${DEFAULT-VALUE})")
  int repeat;

  @Option(
      names = "--fwmark",
      defaultValue = "199",
      description = "fwmark service created (and deleted) in the VM (default ${DEFAULT-VALUE})")
  long fwmark;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final ExecRunner runner = new ExecRunner();

  /**
   * Runs the benchmark on its own ({@code java -cp lvs-pulse.jar
   * io.lvspulse.bench.IpvsBenchCommand}).
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new IpvsBenchCommand()).execute(args));
  }

  /** One measured target. */
  record Row(String target, int n, Duration batch, Duration separate) {
    double speedUp() {
      return separate.toNanos() / (double) Math.max(1, batch.toNanos());
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Row> rows = new ArrayList<>();
    Path tmp = Files.createTempDirectory("lvs-pulse-bench");
    try {
      Path fake = fakeIpvsadm != null ? fakeIpvsadm : writeFake(tmp);
      rows.add(measure("local fake ipvsadm (fork+exec only)", fake, changes));
      Path vm = vmIpvsadm != null ? vmIpvsadm : defaultVm();
      if (vmChanges > 0) {
        ExecResult probe =
            runner.run(ExecRequest.of(Duration.ofSeconds(30), vm.toString(), "-S", "-n"));
        if (probe.succeeded()) {
          rows.add(measureVm(vm));
        } else {
          out.println("real kernel skipped: " + vm + " -S -n: " + probe.describe());
        }
      }
    } finally {
      try (var s = Files.list(tmp)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(tmp);
    }
    out.println();
    out.println(
        "| target | weight changes | one `ipvsadm -R` batch | separate `ipvsadm -e` execs | per exec | batch speed-up |");
    out.println("|---|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          "| %s | %d | %.3f s | %.3f s | %.1f ms | %.0fx |%n",
          r.target(),
          r.n(),
          r.batch().toNanos() / 1e9,
          r.separate().toNanos() / 1e9,
          r.separate().toNanos() / 1e6 / r.n(),
          r.speedUp());
    }
    out.flush();
    return 0;
  }

  private static Path defaultVm() {
    String env = System.getenv("LVS_PULSE_IPVSADM");
    return env != null && !env.isBlank() ? Path.of(env) : Path.of("/sbin/ipvsadm");
  }

  private static Path writeFake(Path dir) throws IOException {
    Path p = dir.resolve("ipvsadm");
    Files.writeString(
        p,
        "#!/bin/sh\n# fake ipvsadm for the benchmark: swallow -R input, succeed\n[ \"$1\" = -R ] && cat >/dev/null\nexit 0\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private List<IpvsCommand> weightChanges(ServiceKey key, IpvsDestination d, int n) {
    List<IpvsCommand> cmds = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      cmds.add(new IpvsCommand.EditDestination(key, d.withWeight(1 + i % 100)));
    }
    return cmds;
  }

  private Row measure(String target, Path ipvsadm, int n) throws IpvsException {
    ServiceKey key = ServiceKey.fwmark(fwmark);
    IpvsDestination d =
        new IpvsDestination(
            IpAddresses.parseSocketAddress("10.0.0.2:69"), ForwardingMethod.ROUTE, 1);
    List<IpvsCommand> cmds = weightChanges(key, d, n);
    IpvsadmBackend backend =
        new IpvsadmBackend(
            IpvsadmBackend.Options.explicit(ipvsadm).withTimeout(Duration.ofSeconds(120)), runner);
    // warm-up: JIT and page cache, not measured
    backend.apply(cmds.subList(0, Math.min(10, n)));
    for (int i = 0; i < Math.min(10, n); i++) {
      exec(ipvsadm, cmds.get(i));
    }
    List<Long> batches = new ArrayList<>();
    for (int r = 0; r < Math.max(1, repeat); r++) {
      long t0 = System.nanoTime();
      backend.apply(cmds);
      batches.add(System.nanoTime() - t0);
    }
    batches.sort(null);
    long t0 = System.nanoTime();
    for (IpvsCommand c : cmds) {
      exec(ipvsadm, c);
    }
    long separate = System.nanoTime() - t0;
    return new Row(
        target, n, Duration.ofNanos(batches.get(batches.size() / 2)), Duration.ofNanos(separate));
  }

  private Row measureVm(Path vm) throws IpvsException {
    ServiceKey key = ServiceKey.fwmark(fwmark);
    IpvsDestination d =
        new IpvsDestination(
            IpAddresses.parseSocketAddress("10.0.0.2:69"), ForwardingMethod.ROUTE, 1);
    IpvsadmBackend backend =
        new IpvsadmBackend(
            IpvsadmBackend.Options.explicit(vm).withTimeout(Duration.ofSeconds(120)), runner);
    if (backend.read().entry(key).isPresent()) {
      throw new IllegalStateException(
          "fwmark " + fwmark + " already exists in the VM; pick another with --fwmark");
    }
    backend.apply(
        List.of(
            new IpvsCommand.AddService(IpvsService.of(key, "wlc")),
            new IpvsCommand.AddDestination(key, d)));
    try {
      Row r = measure("real IPVS kernel (a lab director)", vm, vmChanges);
      int last = 1 + (vmChanges - 1) % 100;
      int weight =
          backend
              .read()
              .entry(key)
              .orElseThrow()
              .destinations()
              .values()
              .iterator()
              .next()
              .weight();
      if (weight != last) {
        throw new IllegalStateException(
            "kernel weight " + weight + " after the run, expected " + last);
      }
      return r;
    } finally {
      backend.apply(List.of(new IpvsCommand.DeleteService(key)));
    }
  }

  private void exec(Path ipvsadm, IpvsCommand c) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ipvsadm.toString());
    cmd.addAll(c.args());
    ExecResult r = runner.run(ExecRequest.of(Duration.ofSeconds(60), cmd));
    if (!r.succeeded() || !r.stderr().isBlank()) {
      throw new IllegalStateException("ipvsadm " + c.line() + ": " + r.describe());
    }
  }
}
