package io.lvspulse.firewall;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.VirtualService;
import io.lvspulse.net.Addresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The mangle rules that mark the traffic of every active fwmark virtual service: packets of the
 * virtual's protocol to its VIP, on its {@code port} and on 1024:65535, get mark {@code fwmark}
 * (the rc.local lines of the TFTP-cluster write-up). A port of 1024 or more is covered by the
 * range; port 0 gives the range only.
 */
public final class FirewallRules {
  /** Range of unprivileged ports a TFTP/FTP data transfer uses. */
  public static final String HIGH_PORTS = "1024:65535";

  /** Default table name of the nft script. */
  public static final String NFT_TABLE = "lvs_pulse";

  private FirewallRules() {}

  /**
   * One marking rule.
   *
   * @param virtual the virtual service name
   * @param vip the VIP, a dotted quad or an IPv6 address in RFC 5952 form
   * @param iface the interface packets arrive on ({@code address} device without {@code :N}), or
   *     empty when rules do not match the interface
   * @param protocol {@code tcp} or {@code udp}
   * @param ports destination ports: a single port or a range {@code LOW:HIGH}
   * @param mark the firewall mark
   */
  public record Rule(
      String virtual, String vip, String iface, String protocol, List<String> ports, int mark) {
    public Rule {
      Objects.requireNonNull(virtual);
      ports = List.copyOf(ports);
    }

    /** True for an IPv6 VIP (ip6tables, nft {@code ip6}). */
    public boolean ipv6() {
      return vip.indexOf(':') >= 0;
    }
  }

  /** Options: match the input interface, and the iptables chain to fill. */
  public record Options(boolean matchInterface, String chain) {
    public static Options defaults() {
      return new Options(true, "PREROUTING");
    }
  }

  /**
   * The rules for every active fwmark virtual service that has an address, in file order. In ECMP
   * mode ({@code director_mode = ecmp}) the VIP sits on {@code lo} while its packets come in from
   * the router on another interface, so the rules never match the interface there.
   */
  public static List<Rule> rules(LvsConfig config, Options options) {
    boolean matchInterface = options.matchInterface() && !config.global().ecmp().ecmp();
    List<Rule> out = new ArrayList<>();
    for (VirtualService v : config.activeFwmarkVirtuals()) {
      if (v.address().isEmpty()) {
        continue;
      }
      List<String> ports = new ArrayList<>();
      if (v.port() > 0 && v.port() < 1024) {
        ports.add(Integer.toString(v.port()));
      }
      ports.add(HIGH_PORTS);
      out.add(
          new Rule(
              v.name(),
              Addresses.canonical(v.address().get().address()),
              matchInterface ? v.address().get().interfaceName() : "",
              v.protocol().keyword(),
              ports,
              v.fwmark()));
    }
    return out;
  }

  /**
   * {@code iptables-restore} input for the mangle table. Load it with {@code iptables-restore
   * --noflush} so the other mangle rules stay. With a chain other than PREROUTING, the script
   * declares (and so empties) that chain and fills it: re-loading it replaces the old rules; hook
   * it once with {@code iptables -t mangle -A PREROUTING -j CHAIN}.
   */
  public static String iptables(LvsConfig config, Options options, String source) {
    return xtables(config, options, source, false);
  }

  /** {@code ip6tables-restore} input for the mangle table: {@link #iptables} for the IPv6 VIPs. */
  public static String ip6tables(LvsConfig config, Options options, String source) {
    return xtables(config, options, source, true);
  }

  private static String xtables(LvsConfig config, Options options, String source, boolean v6) {
    StringBuilder o = new StringBuilder();
    String chain = options.chain();
    String tool = v6 ? "ip6tables" : "iptables";
    boolean own = !chain.equals("PREROUTING");
    o.append("# lvs-pulse firewall-rules ")
        .append(oneLine(source))
        .append(": mark the traffic of every active fwmark virtual service")
        .append(v6 ? " with an IPv6 VIP" : "")
        .append('\n');
    if (own) {
      o.append("# Load (and re-load) with: ")
          .append(tool)
          .append("-restore --noflush < THIS_FILE\n")
          .append("#   the chain ")
          .append(chain)
          .append(" is emptied and refilled each time;\n")
          .append("#   hook it into PREROUTING once: ")
          .append(tool)
          .append(" -t mangle -A PREROUTING -j ")
          .append(chain)
          .append('\n');
    } else {
      o.append("# Load once at boot with: ")
          .append(tool)
          .append("-restore --noflush < THIS_FILE\n")
          .append(
              "#   (--noflush keeps the other mangle rules; loading it twice adds the rules twice:\n")
          .append("#   use --chain NAME for a re-loadable chain, or --format nft)\n");
    }
    o.append("*mangle\n");
    if (own) {
      o.append(':').append(chain).append(" - [0:0]\n");
    }
    List<Rule> all = rules(config, options);
    List<Rule> rules = all.stream().filter(r -> r.ipv6() == v6).toList();
    if (rules.isEmpty()) {
      o.append("# no active fwmark virtual service")
          .append(v6 ? " with an IPv6 VIP" : "")
          .append(": nothing to mark\n");
    }
    if (!v6 && rules.size() < all.size()) {
      o.append(
          "# IPv6 VIPs are marked by ip6tables: lvs-pulse firewall-rules --format ip6tables\n");
    }
    for (Rule r : rules) {
      for (String port : r.ports()) {
        o.append("-A ").append(chain).append(" -d ").append(r.vip()).append(v6 ? "/128" : "/32");
        if (!r.iface().isEmpty()) {
          o.append(" -i ").append(r.iface());
        }
        o.append(" -p ")
            .append(r.protocol())
            .append(" -m ")
            .append(r.protocol())
            .append(" --dport ")
            .append(port)
            .append(" -m comment --comment \"lvs-pulse ")
            .append(safe(r.virtual()))
            .append('"')
            .append(" -j MARK --set-mark ")
            .append(r.mark())
            .append('\n');
      }
    }
    o.append("COMMIT\n");
    return o.toString();
  }

  /**
   * An {@code nft -f} script with its own table {@code ip lvs_pulse}: it creates the table if
   * missing, deletes it and defines it again, all in one atomic transaction, so running it again
   * replaces the rules and touches no other table. The rules of IPv6 VIPs go into a second table,
   * {@code ip6 lvs_pulse}, replaced the same way in the same transaction; a config without IPv6
   * VIPs does not mention it (a kernel without IPv6 has no {@code ip6} family).
   */
  public static String nft(LvsConfig config, Options options, String source) {
    List<Rule> all = rules(config, options);
    StringBuilder o = new StringBuilder(nftTable(all, source, false));
    if (all.stream().anyMatch(Rule::ipv6)) {
      o.append(nftTable(all, source, true));
    }
    return o.toString();
  }

  /** True when the config has a rule for an IPv6 VIP (so {@link #nft} has an {@code ip6} table). */
  public static boolean hasIpv6(LvsConfig config, Options options) {
    return rules(config, options).stream().anyMatch(Rule::ipv6);
  }

  private static String nftTable(List<Rule> all, String source, boolean v6) {
    String family = v6 ? "ip6" : "ip";
    StringBuilder o = new StringBuilder();
    if (!v6) {
      o.append("#!/usr/sbin/nft -f\n")
          .append("# lvs-pulse firewall-rules ")
          .append(oneLine(source))
          .append(": mark the traffic of every active fwmark virtual service\n")
          .append("# Apply (and re-apply) with: nft -f THIS_FILE\n")
          .append("#   the table ip ")
          .append(NFT_TABLE)
          .append(" is replaced atomically; other tables are untouched\n");
    } else {
      o.append("# IPv6 VIPs: the table ip6 ")
          .append(NFT_TABLE)
          .append(", replaced in the same transaction\n");
    }
    o.append("table ")
        .append(family)
        .append(' ')
        .append(NFT_TABLE)
        .append('\n')
        .append("delete table ")
        .append(family)
        .append(' ')
        .append(NFT_TABLE)
        .append('\n')
        .append("table ")
        .append(family)
        .append(' ')
        .append(NFT_TABLE)
        .append(" {\n")
        .append("\tchain prerouting {\n")
        .append("\t\ttype filter hook prerouting priority mangle; policy accept;\n");
    for (Rule r : all) {
      if (r.ipv6() != v6) {
        continue;
      }
      o.append("\t\t");
      if (!r.iface().isEmpty()) {
        o.append("iifname \"").append(r.iface()).append("\" ");
      }
      List<String> ports = new ArrayList<>();
      for (String p : r.ports()) {
        ports.add(p.replace(':', '-'));
      }
      o.append(v6 ? "ip6 daddr " : "ip daddr ")
          .append(r.vip())
          .append(' ')
          .append(r.protocol())
          .append(" dport ")
          .append(ports.size() == 1 ? ports.get(0) : "{ " + String.join(", ", ports) + " }")
          .append(" meta mark set ")
          .append(r.mark())
          .append(" comment \"lvs-pulse ")
          .append(safe(r.virtual()))
          .append("\"\n");
    }
    o.append("\t}\n}\n");
    return o.toString();
  }

  /**
   * The {@code nft -f} script that removes what {@link #nft} installed: declares the table (so the
   * delete cannot fail when it is absent) and deletes it.
   */
  public static String nftRemove() {
    return "table ip " + NFT_TABLE + "\ndelete table ip " + NFT_TABLE + "\n";
  }

  /** The {@code nft -f} script that removes the {@code ip6} table of {@link #nft}. */
  public static String nftRemoveIpv6() {
    return "table ip6 " + NFT_TABLE + "\ndelete table ip6 " + NFT_TABLE + "\n";
  }

  /** Block names may hold any characters; keep comments inside the rule syntax. */
  static String safe(String name) {
    StringBuilder b = new StringBuilder();
    for (char c : name.toCharArray()) {
      b.append(Character.isLetterOrDigit(c) || "-_.:".indexOf(c) >= 0 ? c : '_');
    }
    String s = b.toString();
    return s.length() > 200 ? s.substring(0, 200) : s;
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }
}
