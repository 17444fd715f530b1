package io.lvspulse.cli;

import io.lvspulse.config.ParsedConfig;
import io.lvspulse.config.RealServer;
import io.lvspulse.director.DesiredTables;
import io.lvspulse.director.EcmpTables;
import io.lvspulse.ipvs.IpvsPlanner;
import io.lvspulse.ipvs.IpvsTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code plan FILE}: the {@code ipvsadm -R} restore lines of the IPVS table the config asks for
 * when every active real server is healthy — what Piranha's lvsd and nanny would add, minus its
 * {@code ipvsadm -C}.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Print the `ipvsadm -R` restore lines of the IPVS table FILE asks for when every active real"
          + " server of every active virtual service is healthy (`-A` per service, then its `-a` lines).",
      "In ECMP mode (director_mode = ecmp): -s mh -b mh-fallback, the real servers in the order"
          + " lvs-pulse adds them (the kernel puts each at the head of its list).",
      "Exit 0 on success, 1 when the config is invalid (errors on stderr as in check-config)."
    })
public final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "lvs.cf to read")
  Path file;

  @Option(
      names = "--entry-weights",
      description =
          "Print the weights servers enter with under slow start (max(1, weight>>5), as nanny's"
              + " first -a) instead of the configured weights.")
  boolean entryWeights;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<ParsedConfig> loaded = ConfigLoading.load(file, err);
    if (loaded.isEmpty()) {
      return 1;
    }
    ParsedConfig parsed = loaded.get();
    if (parsed.config().global().ecmp().ecmp()) {
      // ECMP: every server from the start, mh, in the order lvs-pulse adds them (the kernel adds
      // at the head, so the last first): ipvsadm -R of these lines gives the canonical list.
      IpvsTable ecmp = EcmpTables.allHealthy(parsed.config());
      IpvsPlanner.plan(ecmp, IpvsTable.EMPTY, ecmp.keys()).forEach(c -> out.println(c.line()));
      out.flush();
      err.flush();
      return 0;
    }
    IpvsTable table =
        DesiredTables.allHealthy(
            parsed.config(), entryWeights ? PlanCommand::entryWeight : RealServer::weight);
    table.toSaveLines().forEach(out::println);
    out.flush();
    err.flush();
    return 0;
  }

  private static int entryWeight(RealServer rs) {
    return rs.weight() == 0 ? 0 : Math.max(1, rs.weight() >> 5);
  }
}
