package io.lvspulse.ipvs;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the kernel through the {@code ipvsadm} binary, every call through the {@link ExecRunner}
 * with a watchdog.
 *
 * <ul>
 *   <li>{@link #read()}: {@code ipvsadm -S -n}, parsed strictly; when the table has a service whose
 *       list order matters ({@code mh}), also {@code ipvsadm -L -n --nosort} for the kernel's order
 *       of its real servers ({@code -S} sorts them and refuses {@code --nosort}); if that fails,
 *       the local ipvsadm is used and {@code /proc/net/ip_vs} is readable, that file is parsed
 *       instead (logged as a warning). An explicitly configured ipvsadm may drive another kernel (a
 *       director's network namespace, a VM): its table is read only through it.
 *   <li>{@link #sysctls()}, {@link #enableSysctls()}: {@code /proc/sys/net/ipv4/vs} for the local
 *       ipvsadm; {@code PREFIX sysctl} when a command prefix reaches the director's kernel (the
 *       same way as {@code ip} and {@code nft}); never the host's {@code /proc} for an explicit
 *       ipvsadm without a prefix.
 *   <li>{@link #apply}: ONE {@code ipvsadm -R} with the whole batch on stdin. {@code -R} exits 0
 *       even when a line fails (the kernel's message goes to stderr and later lines still apply),
 *       so any stderr output counts as a failure as well as a non-zero exit; the caller re-reads
 *       the table to learn what was applied.
 *   <li>{@link #open}: the start-up check. Without {@code /proc/net/ip_vs}, or when ipvsadm exits 2
 *       with "Can't initialize ipvs", it fails with one message that names {@code --ipvs dry-run}.
 *       With an explicitly configured ipvsadm path (such as the test VM's wrapper) the host's
 *       {@code /proc/net/ip_vs} is not required; the probe {@code ipvsadm -S -n} decides.
 * </ul>
 */
public final class IpvsadmBackend implements IpvsBackend {
  private static final Logger log = LoggerFactory.getLogger(IpvsadmBackend.class);

  /** Where Piranha and RHEL install ipvsadm. */
  public static final Path DEFAULT_IPVSADM = Path.of("/sbin/ipvsadm");

  /** The kernel's table of services. */
  public static final Path PROC_NET_IP_VS = Path.of("/proc/net/ip_vs");

  /**
   * How to run ipvsadm.
   *
   * @param ipvsadm the binary
   * @param explicitPath the path was configured (lvs.cf {@code ipvsadm}, {@code --ipvsadm}): do not
   *     require {@code /proc/net/ip_vs} on this host (the binary may drive another kernel)
   * @param timeout the watchdog timeout for each call
   * @param procNetIpVs the fallback table file
   * @param procHz the kernel's CONFIG_HZ, to read persistence from {@code procNetIpVs}
   * @param commandPrefix runs a command in the director whose kernel ipvsadm drives (e.g. {@code ip
   *     netns exec NS}); empty: this host
   */
  public record Options(
      Path ipvsadm,
      boolean explicitPath,
      Duration timeout,
      Path procNetIpVs,
      int procHz,
      List<String> commandPrefix) {
    public Options {
      Objects.requireNonNull(ipvsadm);
      commandPrefix = List.copyOf(commandPrefix);
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
    }

    public Options(
        Path ipvsadm, boolean explicitPath, Duration timeout, Path procNetIpVs, int procHz) {
      this(ipvsadm, explicitPath, timeout, procNetIpVs, procHz, List.of());
    }

    /** These options with a prefix that reaches the director's kernel (sysctls). */
    public Options withCommandPrefix(List<String> prefix) {
      return new Options(ipvsadm, explicitPath, timeout, procNetIpVs, procHz, prefix);
    }

    /** {@code /sbin/ipvsadm}, a 10 s watchdog, {@code /proc/net/ip_vs} with HZ 250. */
    public static Options defaults() {
      return new Options(DEFAULT_IPVSADM, false, Duration.ofSeconds(10), PROC_NET_IP_VS, 250);
    }

    /** An explicitly configured ipvsadm (no host {@code /proc/net/ip_vs} needed). */
    public static Options explicit(Path ipvsadm) {
      return new Options(ipvsadm, true, Duration.ofSeconds(10), PROC_NET_IP_VS, 250);
    }

    /** These options with another watchdog timeout. */
    public Options withTimeout(Duration t) {
      return new Options(ipvsadm, explicitPath, t, procNetIpVs, procHz, commandPrefix);
    }

    /** These options with another fallback file. */
    public Options withProcNetIpVs(Path p, int hz) {
      return new Options(ipvsadm, explicitPath, timeout, p, hz, commandPrefix);
    }
  }

  private final Options options;
  private final ExecRunner runner;

  /** A backend without the start-up check (tests); prefer {@link #open}. */
  public IpvsadmBackend(Options options, ExecRunner runner) {
    this.options = options;
    this.runner = runner;
  }

  /**
   * Checks that IPVS and ipvsadm work, then returns the backend.
   *
   * @throws IpvsException of kind {@link IpvsException.Kind#UNAVAILABLE} with one clear message
   *     that names {@code --ipvs dry-run}
   */
  public static IpvsadmBackend open(Options options, ExecRunner runner) throws IpvsException {
    String hint =
        "; run lvs-pulse as root on a director whose kernel has IPVS (modprobe ip_vs), or use --ipvs dry-run";
    if (!options.explicitPath() && !Files.exists(options.procNetIpVs())) {
      throw new IpvsException(
          IpvsException.Kind.UNAVAILABLE,
          "IPVS is not available: "
              + options.procNetIpVs()
              + " does not exist (no ip_vs in this kernel)"
              + hint);
    }
    IpvsadmBackend b = new IpvsadmBackend(options, runner);
    ExecResult r = b.exec(List.of("-S", "-n"), null);
    if (r.startFailure() != null) {
      throw new IpvsException(
          IpvsException.Kind.UNAVAILABLE,
          "cannot run " + options.ipvsadm() + " (" + r.startFailure() + ")" + hint);
    }
    if (!r.succeeded() || !r.stderr().isBlank()) {
      String why =
          r.stderr().contains("Can't initialize ipvs")
              ? "IPVS is not available: "
                  + options.ipvsadm()
                  + " -S -n says: "
                  + ipvsInitLine(r.stderr())
              : options.ipvsadm() + " -S -n failed: " + r.describe();
      throw new IpvsException(IpvsException.Kind.UNAVAILABLE, why + hint);
    }
    try {
      IpvsadmSaveParser.parse(r.stdout());
    } catch (IpvsParseException e) {
      throw new IpvsException(
          IpvsException.Kind.UNAVAILABLE,
          options.ipvsadm()
              + " -S -n printed something that is not an IPVS table ("
              + e.getMessage()
              + ")"
              + hint);
    }
    log.info(
        "ipvs backend: {} works (IPVS table has {} lines)",
        options.ipvsadm(),
        r.stdout().lines().count());
    return b;
  }

  /**
   * The stderr lines that matter, joined: on a host without IPVS the first line is modprobe's and
   * the second "Can't initialize ipvs: ...", which is the one to report.
   */
  static String stderrSummary(String stderr) {
    if (stderr.contains("Can't initialize ipvs")) {
      return ipvsInitLine(stderr);
    }
    String s =
        String.join(" | ", stderr.strip().lines().filter(l -> !l.isBlank()).limit(10).toList());
    return s.isEmpty() ? "(empty)" : s;
  }

  private static String ipvsInitLine(String stderr) {
    return stderr
        .lines()
        .filter(l -> l.contains("Can't initialize ipvs"))
        .findFirst()
        .orElse(stderr)
        .strip();
  }

  /** The options in use. */
  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return "ipvsadm";
  }

  @Override
  public IpvsTable read() throws IpvsException {
    IpvsException failure;
    try {
      IpvsTable t = IpvsadmSaveParser.parse(check(exec(List.of("-S", "-n"), null), "-S -n"));
      if (t.entries().stream().noneMatch(e -> e.service().listOrderMatters())) {
        return t;
      }
      // -S sorts the real servers (and refuses --nosort); mh needs the kernel's order: -L keeps it.
      return IpvsadmListOrder.apply(
          t,
          IpvsadmListOrder.parse(
              check(exec(List.of("-L", "-n", "--nosort"), null), "-L -n --nosort")));
    } catch (IpvsParseException e) {
      failure =
          new IpvsException(
              IpvsException.Kind.PARSE, "ipvsadm -S -n: unreadable output: " + e.getMessage(), e);
    } catch (IpvsException e) {
      failure = e;
    }
    if (!options.explicitPath()
        && failure.kind() != IpvsException.Kind.TIMEOUT
        && Files.isReadable(options.procNetIpVs())) {
      try {
        IpvsTable t =
            ProcNetIpVsParser.parse(
                Files.readString(options.procNetIpVs(), StandardCharsets.UTF_8), options.procHz());
        log.warn("{}; read {} instead", failure.getMessage(), options.procNetIpVs());
        return t;
      } catch (IOException | IpvsParseException e) {
        failure.addSuppressed(e);
      }
    }
    throw failure;
  }

  @Override
  public IpvsConnections connections() throws IpvsException {
    try {
      return IpvsadmListParser.parse(check(exec(List.of("-L", "-n"), null), "-L -n"));
    } catch (IpvsParseException e) {
      throw new IpvsException(
          IpvsException.Kind.PARSE, "ipvsadm -L -n: unreadable output: " + e.getMessage(), e);
    }
  }

  @Override
  public void apply(List<IpvsCommand> batch) throws IpvsException {
    if (batch.isEmpty()) {
      return;
    }
    StringBuilder in = new StringBuilder();
    for (IpvsCommand c : batch) {
      in.append(c.line()).append('\n');
    }
    check(
        exec(List.of("-R"), in.toString().getBytes(StandardCharsets.US_ASCII)),
        "-R (" + batch.size() + " lines)");
  }

  @Override
  public void setTimeouts(IpvsTimeouts timeouts) throws IpvsException {
    check(exec(timeouts.args(), null), String.join(" ", timeouts.args()));
  }

  @Override
  public void startSyncDaemon(SyncDaemonRole role, String iface, int syncId) throws IpvsException {
    List<String> args = startDaemonArgs(role, iface, syncId);
    check(exec(args, null), String.join(" ", args));
  }

  @Override
  public void stopSyncDaemon(SyncDaemonRole role) throws IpvsException {
    check(exec(List.of("--stop-daemon", role.arg()), null), "--stop-daemon " + role.arg());
  }

  @Override
  public java.util.Optional<VsSysctls> sysctls() throws IpvsException {
    if (!options.commandPrefix().isEmpty()) {
      List<String> cmd = new ArrayList<>(options.commandPrefix());
      cmd.add("sysctl");
      cmd.add("-n");
      cmd.addAll(VsSysctls.NAMES);
      ExecResult r = runner.run(ExecRequest.of(options.timeout(), cmd));
      if (!r.succeeded()) {
        throw new IpvsException(IpvsException.Kind.FAILED, "sysctl -n: " + r.describe());
      }
      return VsSysctls.parse(r.stdout());
    }
    if (options.explicitPath()) {
      return java.util.Optional.empty(); // another kernel, perhaps: not the host's /proc
    }
    return VsSysctls.read(VsSysctls.PROC_SYS_NET_IPV4_VS);
  }

  @Override
  public void enableSysctls() throws IpvsException {
    if (!options.commandPrefix().isEmpty()) {
      List<String> cmd = new ArrayList<>(options.commandPrefix());
      cmd.add("sysctl");
      cmd.add("-w");
      cmd.addAll(VsSysctls.ENABLE_ARGS);
      ExecResult r = runner.run(ExecRequest.of(options.timeout(), cmd));
      if (!r.succeeded()) {
        throw new IpvsException(IpvsException.Kind.FAILED, "sysctl -w: " + r.describe());
      }
      return;
    }
    if (options.explicitPath()) {
      throw new IpvsException(
          IpvsException.Kind.UNAVAILABLE,
          options.ipvsadm()
              + " may drive another kernel: lvs-pulse does not touch this host's"
              + " /proc/sys/net/ipv4/vs (give --command-prefix to reach that kernel, or set the"
              + " sysctls there)");
    }
    try {
      VsSysctls.enableBoth(VsSysctls.PROC_SYS_NET_IPV4_VS);
    } catch (IOException e) {
      throw new IpvsException(
          IpvsException.Kind.FAILED,
          "cannot write " + VsSysctls.PROC_SYS_NET_IPV4_VS + ": " + e.getMessage());
    }
  }

  static List<String> startDaemonArgs(SyncDaemonRole role, String iface, int syncId) {
    if (syncId < 0 || syncId > 255 || !iface.matches("[A-Za-z0-9_.:@-]{1,15}")) {
      throw new IllegalArgumentException(
          "bad sync daemon interface or id: " + iface + " " + syncId);
    }
    return List.of(
        "--start-daemon",
        role.arg(),
        "--mcast-interface",
        iface,
        "--syncid",
        Integer.toString(syncId));
  }

  private ExecResult exec(List<String> args, byte @org.jspecify.annotations.Nullable [] stdin) {
    List<String> cmd = new ArrayList<>();
    cmd.add(options.ipvsadm().toString());
    cmd.addAll(args);
    ExecRequest req = ExecRequest.of(options.timeout(), cmd);
    return runner.run(stdin == null ? req : req.withStdin(stdin));
  }

  /** Returns stdout, or throws when the call timed out, exited non-zero or wrote to stderr. */
  private static String check(ExecResult r, String what) throws IpvsException {
    if (r.timedOut()) {
      throw new IpvsException(IpvsException.Kind.TIMEOUT, "ipvsadm " + what + ": " + r.describe());
    }
    if (r.startFailure() != null || r.killedBySignal()) {
      throw new IpvsException(IpvsException.Kind.FAILED, "ipvsadm " + what + ": " + r.describe());
    }
    if (r.exitCode() != 0 || !r.stderr().isBlank()) {
      throw new IpvsException(
          IpvsException.Kind.FAILED,
          "ipvsadm "
              + what
              + ": "
              + (r.exitCode() == 0 ? "exit 0 but stderr: " : "exit " + r.exitCode() + ": ")
              + stderrSummary(r.stderr()));
    }
    return r.stdout();
  }
}
