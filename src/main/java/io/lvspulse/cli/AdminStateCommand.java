package io.lvspulse.cli;

import io.lvspulse.admin.ControlClient;
import io.lvspulse.admin.PartnerRelay;
import io.lvspulse.monitor.AdminState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lvs-pulse drain|maintenance|enable VIRTUAL SERVER}: asks the running daemon, through its
 * control socket, to change one real server's admin state. Exit 0 when applied, 1 when refused or
 * when the daemon cannot be reached (including permission denied on the socket).
 */
abstract class AdminStateCommand implements Callable<Integer> {
  static final String EXIT_CODES =
      "Exit 0 when applied (the output says whether the partner director applied it too), 1 when"
          + " refused (no such server) or when the daemon cannot be reached (not running,"
          + " permission denied: only root and group lvs-pulse may use the socket).";

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "VIRTUAL",
      description = "the virtual service's name in lvs.cf")
  String virtual;

  @Parameters(
      index = "1",
      paramLabel = "SERVER",
      description = "the real server's name in lvs.cf, its address, or ADDRESS:PORT")
  String server;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      defaultValue = "/run/lvs-pulse/control.sock",
      description = "the daemon's control socket (its --control-socket; default: ${DEFAULT-VALUE})")
  Path socket;

  abstract AdminState state();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String name = spec.name();
    ControlClient.Reply r;
    try {
      r = ControlClient.send(socket, state(), virtual, server, Duration.ofSeconds(15));
    } catch (ControlClient.Unreachable e) {
      err.println("lvs-pulse " + name + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    if (!r.ok()) {
      err.println("lvs-pulse " + name + ": refused (" + r.status() + "): " + r.message());
      err.flush();
      return 1;
    }
    out.println(r.message());
    out.flush();
    if (r.partner().isPresent()
        && (r.partner().get() == PartnerRelay.Outcome.NOT_AUTHENTICATED
            || r.partner().get() == PartnerRelay.Outcome.UNCONFIRMED
            || r.partner().get() == PartnerRelay.Outcome.EVERY_DIRECTOR)) {
      err.println("lvs-pulse " + name + ": WARNING: " + r.partner().get().advice());
      err.flush();
    }
    return 0;
  }

  /** {@code lvs-pulse drain}. */
  @Command(
      name = "drain",
      mixinStandardHelpOptions = true,
      description = {
        "Drain a real server: weight 0 in IPVS, so no new client comes while the existing ones"
            + " finish; probes go on. It stays drained across restarts and reloads until `lvs-pulse"
            + " enable`.",
        "With heartbeat_key_file set the partner director is told too; without it, run the same"
            + " command on both directors.",
        EXIT_CODES
      })
  static final class Drain extends AdminStateCommand {
    @Override
    AdminState state() {
      return AdminState.DRAIN;
    }
  }

  /** {@code lvs-pulse maintenance}. */
  @Command(
      name = "maintenance",
      mixinStandardHelpOptions = true,
      description = {
        "Put a real server in maintenance: weight 0 at once, then out of IPVS once drained (no TCP"
            + " connection active; for UDP, no flow left: they expire one udp_timeout after their"
            + " last packet); probes go on. It stays so across restarts and reloads until"
            + " `lvs-pulse enable`.",
        "With heartbeat_key_file set the partner director is told too; without it, run the same"
            + " command on both directors.",
        EXIT_CODES
      })
  static final class Maintenance extends AdminStateCommand {
    @Override
    AdminState state() {
      return AdminState.MAINTENANCE;
    }
  }

  /** {@code lvs-pulse enable}. */
  @Command(
      name = "enable",
      mixinStandardHelpOptions = true,
      description = {
        "Enable a drained real server or one in maintenance again: the health rules alone decide"
            + " (a healthy server gets its weight back, with slow start).",
        "With heartbeat_key_file set the partner director is told too; without it, run the same"
            + " command on both directors.",
        EXIT_CODES
      })
  static final class Enable extends AdminStateCommand {
    @Override
    AdminState state() {
      return AdminState.ENABLED;
    }
  }
}
