package io.lvspulse.firewall;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.VirtualService;
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
   * @param vip the VIP, dotted quad
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
              v.address().get().address().getHostAddress(),
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
    StringBuilder o = new StringBuilder();
    String chain = options.chain();
    boolean own = !chain.equals("PREROUTING");
    o.append("# lvs-pulse firewall-rules ")
        .append(oneLine(source))
        .append(": mark the traffic of every active fwmark virtual service\n");
    if (own) {
      o.append("# Load (and re-load) with: iptables-restore --noflush < THIS_FILE\n")
          .append("#   the chain ")
          .append(chain)
          .append(" is emptied and refilled each time;\n")
          .append("#   hook it into PREROUTING once: iptables -t mangle -A PREROUTING -j ")
          .append(chain)
          .append('\n');
    } else {
      o.append("# Load once at boot with: iptables-restore --noflush < THIS_FILE\n")
          .append(
              "#   (--noflush keeps the other mangle rules; loading it twice adds the rules twice:\n")
          .append("#   use --chain NAME for a re-loadable chain, or --format nft)\n");
    }
    o.append("*mangle\n");
    if (own) {
      o.append(':').append(chain).append(" - [0:0]\n");
    }
    List<Rule> rules = rules(config, options);
    if (rules.isEmpty()) {
      o.append("# no active fwmark virtual service: nothing to mark\n");
    }
    for (Rule r : rules) {
      for (String port : r.ports()) {
        o.append("-A ").append(chain).append(" -d ").append(r.vip()).append("/32");
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
   * replaces the rules and touches no other table.
   */
  public static String nft(LvsConfig config, Options options, String source) {
    StringBuilder o = new StringBuilder();
    o.append("#!/usr/sbin/nft -f\n")
        .append("# lvs-pulse firewall-rules ")
        .append(oneLine(source))
        .append(": mark the traffic of every active fwmark virtual service\n")
        .append("# Apply (and re-apply) with: nft -f THIS_FILE\n")
        .append("#   the table ip ")
        .append(NFT_TABLE)
        .append(" is replaced atomically; other tables are untouched\n")
        .append("table ip ")
        .append(NFT_TABLE)
        .append('\n')
        .append("delete table ip ")
        .append(NFT_TABLE)
        .append('\n')
        .append("table ip ")
        .append(NFT_TABLE)
        .append(" {\n")
        .append("\tchain prerouting {\n")
        .append("\t\ttype filter hook prerouting priority mangle; policy accept;\n");
    for (Rule r : rules(config, options)) {
      o.append("\t\t");
      if (!r.iface().isEmpty()) {
        o.append("iifname \"").append(r.iface()).append("\" ");
      }
      List<String> ports = new ArrayList<>();
      for (String p : r.ports()) {
        ports.add(p.replace(':', '-'));
      }
      o.append("ip daddr ")
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
