package io.lvspulse.cli;

import io.lvspulse.config.ParsedConfig;
import io.lvspulse.firewall.FirewallRules;
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
 * {@code firewall-rules FILE [--format iptables|ip6tables|nft]}: the fwmark mangle rules of an
 * lvs.cf.
 */
@Command(
    name = "firewall-rules",
    mixinStandardHelpOptions = true,
    description = {
      "Print the mangle rules that mark the traffic of every active fwmark virtual service:",
      "packets of its protocol to its VIP, on its port and on 1024:65535, get its fwmark",
      "(the TFTP-behind-LVS recipe). Install them on both directors.",
      "  iptables (default): iptables-restore input; load with 'iptables-restore --noflush < FILE'.",
      "  ip6tables: the same for the IPv6 VIPs; load with 'ip6tables-restore --noflush < FILE'.",
      "  nft: an 'nft -f FILE' script with its own table 'ip lvs_pulse' (and 'ip6 lvs_pulse'",
      "  for IPv6 VIPs), replaced atomically."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:rules printed", "1:the lvs.cf has errors", "2:usage error"})
public final class FirewallRulesCommand implements Callable<Integer> {

  /** Output formats. */
  public enum Format {
    iptables,
    ip6tables,
    nft
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the lvs.cf")
  Path file;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "iptables",
      description = {
        "iptables (the IPv4 VIPs), ip6tables (the IPv6 VIPs) or nft (both: table ip lvs_pulse,",
        "and table ip6 lvs_pulse when there are IPv6 VIPs). Default: ${DEFAULT-VALUE}"
      })
  Format format;

  @Option(
      names = "--chain",
      paramLabel = "CHAIN",
      defaultValue = "PREROUTING",
      description = {
        "iptables only: fill this mangle chain instead of PREROUTING. The chain is declared, so",
        "'iptables-restore --noflush' empties and refills it on every load (hook it into",
        "PREROUTING once). Default: ${DEFAULT-VALUE}"
      })
  String chain;

  @Option(
      names = "--any-interface",
      description =
          "do not match the input interface (by default rules match the device of the"
              + " virtual's address without its :N alias, e.g. eth0)")
  boolean anyInterface;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!chain.matches("[A-Za-z0-9_.-]{1,28}")) {
      err.println(
          "firewall-rules: bad --chain '" + chain + "': use letters, digits, _ . - (at most 28)");
      err.flush();
      return 2;
    }
    Optional<ParsedConfig> loaded = ConfigLoading.load(file, err);
    if (loaded.isEmpty()) {
      return 1;
    }
    ParsedConfig pc = loaded.get();
    FirewallRules.Options options = new FirewallRules.Options(!anyInterface, chain);
    if (FirewallRules.rules(pc.config(), options).isEmpty()) {
      err.println(file + ": warning: no active fwmark virtual service: no rule to print");
    }
    err.flush();
    out.print(
        switch (format) {
          case nft -> FirewallRules.nft(pc.config(), options, file.toString());
          case ip6tables -> FirewallRules.ip6tables(pc.config(), options, file.toString());
          case iptables -> FirewallRules.iptables(pc.config(), options, file.toString());
        });
    out.flush();
    return 0;
  }
}
