package io.lvspulse.cli;

import io.lvspulse.announce.AnnounceException;
import io.lvspulse.announce.BirdAnnouncer;
import io.lvspulse.announce.BirdControl;
import io.lvspulse.announce.RoutingState;
import io.lvspulse.announce.VipRoute;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.ParsedConfig;
import io.lvspulse.daemon.DaemonOptions;
import io.lvspulse.daemon.EcmpVips;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lvs-pulse announce}: ECMP mode's announcements in BIRD, without the daemon. systemd runs
 * {@code announce --withdraw-all} as {@code ExecStopPost}, so a director's VIPs are withdrawn even
 * after {@code kill -9}; operators drain and undrain a director with it.
 */
@Command(
    name = "announce",
    mixinStandardHelpOptions = true,
    description = {
      "ECMP mode (director_mode = ecmp): show what this director announces through BIRD (each"
          + " VIP's state, the BGP sessions, the drain flag), or change it with one of the actions"
          + " below. systemd runs --withdraw-all as ExecStopPost, so the VIPs are withdrawn even"
          + " after kill -9. A drain lasts across restarts, until --undrain.",
      "In pair mode there is nothing to announce: every action succeeds and does nothing."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:done (BIRD not running counts as withdrawn)",
      "1:the lvs.cf has errors, or BIRD refused or did not answer",
      "2:usage error"
    })
public final class AnnounceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "/etc/sysconfig/ha/lvs.cf",
      description = "lvs.cf to read (default: ${DEFAULT-VALUE})")
  Path config;

  @Option(names = "--withdraw-all", description = "withdraw every VIP of the config now")
  boolean withdrawAll;

  @Option(
      names = "--drain",
      description =
          "drain this director: write the drain flag (the daemon then withdraws every VIP and keeps"
              + " them withdrawn) and withdraw now")
  boolean drain;

  @Option(names = "--undrain", description = "end a drain: the daemon announces again once healthy")
  boolean undrain;

  @Option(
      names = "--print-bird-config",
      description = "print the `protocol static` blocks bird.conf needs, one per VIP")
  boolean printBirdConfig;

  @Option(
      names = "--bird-socket",
      paramLabel = "PATH",
      description = "BIRD's control socket (default: the config's bird_socket, /run/bird/bird.ctl)")
  Optional<Path> birdSocket;

  @Option(
      names = "--drain-file",
      paramLabel = "PATH",
      defaultValue = DaemonOptions.DEFAULT_DRAIN_FILE,
      description = "the drain flag the daemon watches (default: ${DEFAULT-VALUE})")
  Path drainFile;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "bound of each BIRD command (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int actions =
        (withdrawAll ? 1 : 0) + (drain ? 1 : 0) + (undrain ? 1 : 0) + (printBirdConfig ? 1 : 0);
    if (actions > 1) {
      err.println(
          "lvs-pulse announce: give at most one of --withdraw-all, --drain, --undrain,"
              + " --print-bird-config");
      return 2;
    }
    if (timeoutSeconds < 1) {
      err.println("lvs-pulse announce: --timeout must be at least 1");
      return 2;
    }
    Optional<ParsedConfig> pc = ConfigLoading.load(config, err);
    err.flush();
    if (pc.isEmpty()) {
      return 1;
    }
    LvsConfig c = pc.get().config();
    if (printBirdConfig) {
      out.print(EcmpVips.birdStatics(c, config.toString()));
      out.flush();
      return 0;
    }
    if (undrain) {
      return undrain(out, err);
    }
    if (!c.global().ecmp().ecmp()) {
      out.println("director_mode is pair: nothing is announced through BIRD");
      out.flush();
      return 0;
    }
    List<VipRoute> routes = EcmpVips.routes(c);
    Path socket = birdSocket.orElse(c.global().ecmp().birdSocket());
    try (BirdAnnouncer bird =
        new BirdAnnouncer(new BirdControl(socket, Duration.ofSeconds(timeoutSeconds)))) {
      if (withdrawAll) {
        return withdrawAll(bird, routes, socket, out, err);
      }
      if (drain) {
        return drain(bird, routes, socket, c.global().ecmp().announceInterval(), out, err);
      }
      return status(bird, routes, out, err);
    }
  }

  private int withdrawAll(
      BirdAnnouncer bird, List<VipRoute> routes, Path socket, PrintWriter out, PrintWriter err) {
    int failed = 0;
    for (VipRoute r : routes) {
      try {
        bird.withdraw(r);
        out.println("withdrawn: " + r);
      } catch (AnnounceException e) {
        if (birdDown(e)) {
          out.println(
              "BIRD is not running (" + socket + "): nothing is announced from this director");
          out.flush();
          return 0;
        }
        if (e.getMessage().contains("BIRD has no protocol")) {
          out.println("not in BIRD: " + r + " (nothing to withdraw)");
          continue;
        }
        err.println("lvs-pulse announce: " + e.getMessage());
        failed++;
      }
    }
    out.flush();
    err.flush();
    return failed == 0 ? 0 : 1;
  }

  private int drain(
      BirdAnnouncer bird,
      List<VipRoute> routes,
      Path socket,
      Duration interval,
      PrintWriter out,
      PrintWriter err) {
    try {
      Files.writeString(
          drainFile, "drained at " + Instant.now() + " by lvs-pulse announce --drain\n");
    } catch (IOException e) {
      err.println("lvs-pulse announce: cannot write the drain flag " + drainFile + ": " + e);
      err.flush();
      return 1;
    }
    out.println("drain flag written: " + drainFile + " (remove with --undrain)");
    // Withdraw now; again after two intervals, in case the daemon was announcing as we wrote.
    int rc = withdrawAll(bird, routes, socket, out, err);
    try {
      Thread.sleep(interval.multipliedBy(2).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (rc == 0) {
      rc = withdrawAll(bird, routes, socket, new PrintWriter(java.io.Writer.nullWriter()), err);
    }
    out.flush();
    return rc;
  }

  private int undrain(PrintWriter out, PrintWriter err) {
    try {
      boolean was = Files.deleteIfExists(drainFile);
      out.println(
          was
              ? "drain ended: the daemon announces this director's VIPs again once healthy"
                  + " (announce_rise x announce_interval)"
              : "not drained (" + drainFile + " does not exist)");
      out.flush();
      return 0;
    } catch (IOException e) {
      err.println("lvs-pulse announce: cannot remove the drain flag " + drainFile + ": " + e);
      err.flush();
      return 1;
    }
  }

  private int status(BirdAnnouncer bird, List<VipRoute> routes, PrintWriter out, PrintWriter err) {
    RoutingState s;
    try {
      s = bird.state(routes);
    } catch (AnnounceException e) {
      err.println("lvs-pulse announce: " + e.getMessage());
      err.flush();
      return 1;
    }
    for (VipRoute r : routes) {
      out.printf("%-40s %-28s %s%n", r.address(), r.protocol(), s.route(r).label());
    }
    for (RoutingState.Session x : s.sessions()) {
      out.printf("bgp %-36s %s%n", x.name(), x.info());
    }
    out.println("drained: " + (Files.exists(drainFile) ? "yes (" + drainFile + ")" : "no"));
    out.flush();
    return 0;
  }

  /** BIRD's socket is missing or refuses: BIRD is not running, so it announces nothing. */
  private static boolean birdDown(AnnounceException e) {
    return e.getCause() instanceof IOException;
  }
}
