package io.lvspulse.cli;

import io.lvspulse.config.ConfigException;
import io.lvspulse.config.Diagnostic;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.ParsedConfig;
import io.lvspulse.config.VirtualService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code check-config FILE}: validates an lvs.cf. */
@Command(
    name = "check-config",
    mixinStandardHelpOptions = true,
    description = {
      "Check an lvs.cf (Piranha format); every mistake is reported as",
      "  FILE:LINE:COL: error: MESSAGE",
      "Valid: prints a one-line summary on stdout, warnings on stderr, exits 0.",
      "Invalid: prints every error (and warning) on stderr, exits 1. Usage errors exit 2."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the file is valid (warnings allowed)",
      "1:the file has errors",
      "2:usage error"
    })
public final class CheckConfigCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the lvs.cf to check")
  Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      ParsedConfig pc = new LvsConfigParser().parse(file);
      for (Diagnostic w : pc.warnings()) {
        err.println(w);
      }
      err.flush();
      out.println(summary(file.toString(), pc));
      out.flush();
      return 0;
    } catch (ConfigException e) {
      List<Diagnostic> all = new ArrayList<>(e.errors());
      all.addAll(e.warnings());
      all.sort(Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
      for (Diagnostic d : all) {
        err.println(d);
      }
      err.println(
          file
              + ": invalid: "
              + plural(e.errorCount(), "error")
              + ", "
              + plural(e.warningCount(), "warning"));
      err.flush();
      return 1;
    }
  }

  /** {@code FILE: valid: 1 virtual service (1 active), 3 real servers (2 active), ...}. */
  static String summary(String file, ParsedConfig pc) {
    LvsConfig c = pc.config();
    int servers = 0;
    int activeServers = 0;
    for (VirtualService v : c.virtuals()) {
      servers += v.servers().size();
      activeServers += v.activeServers().size();
    }
    return file
        + ": valid: "
        + plural(c.virtuals().size(), "virtual service")
        + " ("
        + c.activeVirtuals().size()
        + " active), "
        + plural(servers, "real server")
        + " ("
        + activeServers
        + " active), "
        + plural(c.failovers().size(), "failover service")
        + ", service "
        + c.global().service().keyword()
        + ", network "
        + c.global().network().keyword()
        + ", "
        + plural(pc.warningCount(), "warning");
  }

  static String plural(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }
}
