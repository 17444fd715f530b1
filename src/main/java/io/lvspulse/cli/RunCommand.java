package io.lvspulse.cli;

import io.lvspulse.daemon.Daemon;
import io.lvspulse.daemon.DaemonOptions;
import io.lvspulse.daemon.Launcher;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lvs-pulse run}: the daemon. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the director: probe every real server, program IPVS, serve the status page, /metrics"
          + " /status /healthz and the admin API, take drain|maintenance|enable on the control"
          + " socket.",
      "SIGHUP re-reads the config (an invalid file keeps the running one, and so does a valid one"
          + " that would withdraw every virtual service or every real server); SIGUSR1 re-reads it"
          + " and applies such a file too; SIGTERM stops probing and leaves IPVS as it is unless"
          + " --cleanup-on-stop.",
      "Exit 1 when the config is invalid or IPVS/the HTTP port is unavailable."
    })
public final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "/etc/sysconfig/ha/lvs.cf",
      description = "lvs.cf to read (default: ${DEFAULT-VALUE})")
  Path config;

  @Option(
      names = "--ipvs",
      paramLabel = "ipvsadm|dry-run",
      defaultValue = "ipvsadm",
      description =
          "IPVS backend: ipvsadm (default) or dry-run (in-memory table; logs every command)")
  String ipvs;

  @Option(
      names = "--ipvsadm",
      paramLabel = "PATH",
      description = "ipvsadm binary (overrides the config's `ipvsadm` key; default /sbin/ipvsadm)")
  Optional<Path> ipvsadm;

  @Mixin ListenOption listen;

  @Mixin AdminOptions admin;

  @Option(
      names = "--cleanup-on-stop",
      description =
          "delete the IPVS services lvs-pulse manages when stopping (default: leave IPVS as it is)")
  boolean cleanupOnStop;

  @Option(
      names = "--role",
      paramLabel = "primary|backup",
      description = "force this director's role instead of finding it from the config's addresses")
  Optional<String> role;

  @Option(
      names = "--no-failover",
      description = "do not run the heartbeat/VIP failover: this director is always active")
  boolean noFailover;

  @Option(
      names = "--set-sysctls",
      hidden = true,
      description = "the default now (kept for old unit files)")
  boolean setSysctls;

  @Option(
      names = "--keep-sysctls",
      description =
          "do not set net.ipv4.vs.expire_quiescent_template=1 and expire_nodest_conn=1 when a"
              + " quiescing persistent or UDP virtual service needs them (default: set them in the"
              + " kernel ipvsadm drives, so a failed server's clients move at once; with this"
              + " option only warn)")
  boolean keepSysctls;

  @Option(
      names = "--reconcile-interval",
      paramLabel = "SECONDS",
      defaultValue = "15",
      description =
          "period of the full IPVS reconcile that repairs drift (default: ${DEFAULT-VALUE})")
  int reconcileSeconds;

  @Option(
      names = "--drain-file",
      paramLabel = "PATH",
      defaultValue = DaemonOptions.DEFAULT_DRAIN_FILE,
      description =
          "ECMP mode: while this file exists every VIP is withdrawn; `lvs-pulse announce --drain`"
              + " writes it (default: ${DEFAULT-VALUE})")
  Path drainFile;

  @Option(
      names = "--command-prefix",
      paramLabel = "ARG",
      split = ",",
      description =
          "run ip, arping, nft and sysctl in the director through this prefix, e.g."
              + " ip,netns,exec,NS (a director in a network namespace; the test lab's"
              + " lab/bin/director-exec,NAME)")
  List<String> commandPrefix = List.of();

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    DaemonOptions.IpvsMode mode;
    switch (ipvs) {
      case "ipvsadm" -> mode = DaemonOptions.IpvsMode.IPVSADM;
      case "dry-run", "dryrun", "dry_run" -> mode = DaemonOptions.IpvsMode.DRY_RUN;
      default -> {
        err.println("lvs-pulse run: --ipvs must be ipvsadm or dry-run, not '" + ipvs + "'");
        return 2;
      }
    }
    if (role.isPresent() && !role.get().equals("primary") && !role.get().equals("backup")) {
      err.println("lvs-pulse run: --role must be primary or backup, not '" + role.get() + "'");
      return 2;
    }
    Optional<InetSocketAddress> listenAddress = listen.address(err, "run");
    if (listenAddress.isEmpty()) {
      return 2;
    }
    if (reconcileSeconds < 1) {
      err.println("lvs-pulse run: --reconcile-interval must be at least 1");
      return 2;
    }
    DaemonOptions opts =
        new DaemonOptions(
            config,
            mode,
            ipvsadm,
            listenAddress.get(),
            cleanupOnStop,
            role,
            !keepSysctls,
            Duration.ofSeconds(reconcileSeconds),
            !noFailover,
            commandPrefix,
            drainFile,
            admin.toOptions());
    Daemon daemon;
    try {
      daemon = Launcher.create(opts);
      Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "lvs-pulse-shutdown"));
      daemon.start();
    } catch (Daemon.StartupException e) {
      err.println(e.getMessage());
      err.flush();
      return 1;
    }
    daemon.awaitStop();
    return 0;
  }
}
