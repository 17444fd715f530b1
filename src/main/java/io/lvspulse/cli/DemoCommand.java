package io.lvspulse.cli;

import io.lvspulse.daemon.Daemon;
import io.lvspulse.daemon.DaemonOptions;
import io.lvspulse.daemon.Demo;
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

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Optional<InetSocketAddress> listenAddress = listen.address(err, "demo");
    if (listenAddress.isEmpty()) {
      return 2;
    }
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
            List.of());
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
    demo.daemon().awaitStop();
    return 0;
  }
}
