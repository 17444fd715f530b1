package io.lvspulse.cli;

import io.lvspulse.daemon.Daemon;
import io.lvspulse.daemon.DaemonOptions;
import io.lvspulse.daemon.Demo;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lvs-pulse demo}: the daemon on dry-run IPVS with loopback stand-ins for the real servers.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the real daemon on the dry-run IPVS backend with an unchanged lvs.cf, probing built-in TFTP"
          + " servers on 127.0.0.2, 127.0.0.3, ... instead of the configured real servers (nothing is"
          + " sent off this machine; failover is off). The last real server goes down for a while"
          + " every --outage-period seconds so the log and /status show a failure and the re-entry.",
      "Watch it with `lvs-pulse status` or http://127.0.0.1:9539/status. Needs root (port 69)."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "etc/lvs.cf",
      description = "lvs.cf to read (default: ${DEFAULT-VALUE})")
  Path config;

  @Mixin ListenOption listen;

  @Option(
      names = "--outage-period",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description =
          "take the last real server down every SECONDS for a third of that (0 = never; default: ${DEFAULT-VALUE})")
  int outagePeriod;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "where the demo keeps its admin state file and its API token (default: a new temporary"
              + " directory, so a demo never touches /var/lib/lvs-pulse)")
  @Nullable Path stateDir;

  @Option(
      names = "--control-socket",
      paramLabel = "PATH|none",
      defaultValue = "/run/lvs-pulse/control.sock",
      description =
          "the Unix socket lvs-pulse drain|maintenance|enable talk to (default: ${DEFAULT-VALUE})")
  String controlSocket;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Optional<InetSocketAddress> listenAddress = listen.address(err, "demo");
    if (listenAddress.isEmpty()) {
      return 2;
    }
    Path dir = stateDir != null ? stateDir : Files.createTempDirectory("lvs-pulse-demo-");
    Files.createDirectories(dir);
    Path token = demoToken(dir);
    DaemonOptions opts =
        new DaemonOptions(
            config,
            DaemonOptions.IpvsMode.DRY_RUN,
            Optional.empty(),
            listenAddress.get(),
            false,
            Optional.empty(),
            true,
            Duration.ofSeconds(15),
            false,
            List.of(),
            Path.of(DaemonOptions.DEFAULT_DRAIN_FILE),
            new DaemonOptions.Admin(
                Optional.of(dir), AdminOptions.path(controlSocket), Optional.of(token)));
    Demo demo;
    try {
      demo = Demo.create(opts, outagePeriod);
      Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "lvs-pulse-shutdown"));
      demo.start();
    } catch (Daemon.StartupException e) {
      err.println(e.getMessage());
      err.flush();
      return 1;
    }
    err.println(
        "lvs-pulse demo: the page is http://"
            + listenAddress.get().getHostString()
            + ":"
            + listenAddress.get().getPort()
            + "/ (its API token is in "
            + token
            + "); try `lvs-pulse drain"
            + (controlSocket.equals("/run/lvs-pulse/control.sock")
                ? ""
                : " --socket " + controlSocket)
            + " VIRTUAL SERVER`");
    err.flush();
    demo.daemon().awaitStop();
    return 0;
  }

  /** The demo's HTTP API token: {@code DIR/api.token}, 0600, random unless it exists. */
  static Path demoToken(Path dir) throws java.io.IOException {
    Path token = dir.resolve("api.token");
    if (!Files.exists(token)) {
      byte[] b = new byte[24];
      new java.security.SecureRandom().nextBytes(b);
      Files.createFile(
          token,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          token, java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b) + "\n");
    }
    return token;
  }
}
