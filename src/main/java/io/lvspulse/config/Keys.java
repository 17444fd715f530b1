package io.lvspulse.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every lvs.cf key: the section it belongs to, how many values it takes and what it expects. */
public final class Keys {
  private Keys() {}

  /** Where a key may be written. {@code VIRTUAL} covers {@code virtual} and {@code failover}. */
  public enum Section {
    GLOBAL("the global section"),
    VIRTUAL("a virtual or failover block"),
    SERVER("a server block");

    private final String where;

    Section(String where) {
      this.where = where;
    }

    /** Human wording, for messages. */
    public String where() {
      return where;
    }
  }

  /** Value count meaning "a bracketed list {@code [ a b ... ]}". */
  public static final int LIST = -1;

  /**
   * One key.
   *
   * @param name the key
   * @param section where it belongs
   * @param arity number of values, or {@link #LIST}
   * @param expected what a value looks like, for messages
   * @param extension true for lvs-pulse keys Piranha does not know
   */
  public record Spec(String name, Section section, int arity, String expected, boolean extension) {}

  private static final Map<Section, Map<String, Spec>> SPECS = new LinkedHashMap<>();

  private static void add(Section s, String name, int arity, String expected) {
    SPECS
        .computeIfAbsent(s, k -> new LinkedHashMap<>())
        .put(name, new Spec(name, s, arity, expected, false));
  }

  private static void ext(Section s, String name, int arity, String expected) {
    SPECS
        .computeIfAbsent(s, k -> new LinkedHashMap<>())
        .put(name, new Spec(name, s, arity, expected, true));
  }

  static {
    Section g = Section.GLOBAL;
    add(g, "serial_no", 1, "an integer");
    add(g, "primary", 1, "an IPv4 address or host name");
    add(g, "primary_private", 1, "an IPv4 address or host name");
    add(g, "primary_shared", 1, "a string");
    add(g, "backup", 1, "an IPv4 address or host name");
    add(g, "backup_private", 1, "an IPv4 address or host name");
    add(g, "backup_shared", 1, "a string");
    add(g, "backup_active", 1, "0 or 1");
    add(g, "heartbeat", 1, "0 or 1");
    add(g, "heartbeat_port", 1, "a port number or service name");
    add(g, "keepalive", 1, "seconds");
    add(g, "deadtime", 1, "seconds");
    add(g, "network", 1, "direct, nat or tunnel");
    add(g, "nat_router", 2, "an IPv4 address and a device, e.g. 10.0.0.254 eth1:1");
    add(g, "nat_nmask", 1, "a netmask such as 255.255.255.0");
    add(g, "service", 1, "lvs or fos");
    add(g, "debug_level", 1, "a string");
    add(g, "rsh_command", 1, "a command (rsh or ssh)");
    add(g, "sync", 1, "0 or 1");
    add(g, "ipvsadm", 1, "the path of ipvsadm");
    add(g, "active_cmd", 1, "a command");
    add(g, "inactive_cmd", 1, "a command");
    add(g, "monitor_links", 1, "0 or 1");
    add(g, "syncdaemon", 1, "0 or 1");
    add(g, "syncd_iface", 1, "an interface name");
    add(g, "syncd_id", 1, "an integer 0..255");
    add(g, "tcp_timeout", 1, "seconds (0 = unchanged)");
    add(g, "tcpfin_timeout", 1, "seconds (0 = unchanged)");
    add(g, "udp_timeout", 1, "seconds (0 = unchanged)");
    add(g, "hard_shutdown", 1, "0 or 1");
    add(g, "reservation_conflict_action", 1, "nothing or preempt");
    ext(g, "heartbeat_key_file", 1, "the path of the heartbeat key file");
    ext(g, "failback", 1, "0 or 1");
    ext(g, "manage_firewall", 1, "0 or 1");
    ext(g, "director_mode", 1, "pair or ecmp");
    ext(g, "announce_quorum", 1, "an integer, at least 1");
    ext(g, "announce_rise", 1, "an integer, at least 1");
    ext(g, "announce_fall", 1, "an integer, at least 1");
    ext(g, "announce_interval", 1, "a duration such as 1 or 500ms");
    ext(g, "bird_socket", 1, "the path of BIRD's control socket");

    Section v = Section.VIRTUAL;
    add(v, "active", 1, "0 or 1");
    add(v, "address", 2, "a VIP and a device, e.g. 203.0.113.10 eth0:1");
    add(v, "vip_nmask", 1, "a netmask such as 255.255.255.0");
    add(v, "sorry_server", 1, "a dotted IPv4 address");
    add(v, "fwmark", 1, "a firewall mark (integer, 0 = none)");
    add(v, "port", 1, "a port number or service name");
    add(v, "protocol", 1, "tcp or udp");
    add(v, "scheduler", 1, "one of lc rr wlc wrr lblc lblcr dh sh sed nq mh");
    add(v, "persistent", 1, "seconds (0 = none)");
    add(v, "pmask", 1, "a netmask such as 255.255.255.0");
    add(v, "send", 1, "a quoted string");
    add(v, "expect", 1, "a quoted string");
    add(v, "use_regex", 1, "0 or 1");
    add(v, "send_program", 1, "a quoted command line");
    add(v, "load_monitor", 1, "none, uptime, ruptime or rup");
    add(v, "timeout", 1, "seconds (at least 1)");
    add(v, "reentry", 1, "seconds");
    add(v, "quiesce_server", 1, "0 or 1");
    add(v, "client_monitor", 1, "the path of the monitor program");
    add(v, "start_cmd", 1, "a quoted command line");
    add(v, "stop_cmd", 1, "a quoted command line");
    add(v, "master", 1, "an IPv4 address or host name");
    add(v, "dirs", LIST, "a list [ a b ... ]");
    ext(v, "probe_timeout", 1, "a duration such as 3 or 500ms");
    ext(v, "slow_start", 1, "0 or 1");
    ext(v, "mh_port", 1, "0 or 1");

    Section s = Section.SERVER;
    add(s, "address", 1, "an IPv4 address or host name");
    add(s, "active", 1, "0 or 1");
    add(s, "weight", 1, "an integer 0..65535");
    add(s, "port", 1, "a port number");
  }

  /** The key {@code name} in {@code section}. */
  public static Optional<Spec> find(Section section, String name) {
    return Optional.ofNullable(SPECS.get(section).get(name));
  }

  /** Every key of a section, in documentation order. */
  public static List<Spec> all(Section section) {
    return List.copyOf(SPECS.get(section).values());
  }

  /** Every key of every section. */
  public static List<Spec> all() {
    List<Spec> out = new ArrayList<>();
    for (Map<String, Spec> m : SPECS.values()) {
      out.addAll(m.values());
    }
    return out;
  }

  /** True if {@code name} is a key of any section or a block keyword. */
  public static boolean isKnownWord(String name) {
    if (name.equals("virtual") || name.equals("failover") || name.equals("server")) {
      return true;
    }
    for (Map<String, Spec> m : SPECS.values()) {
      if (m.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  /** The closest key to a misspelt one, within edit distance 2 (or a third of its length). */
  public static Optional<String> suggest(Section section, String wrong) {
    Optional<String> best = closest(SPECS.get(section).keySet(), wrong);
    if (best.isPresent()) {
      return best;
    }
    List<String> every = new ArrayList<>();
    for (Map<String, Spec> m : SPECS.values()) {
      every.addAll(m.keySet());
    }
    return closest(every, wrong);
  }

  private static Optional<String> closest(Iterable<String> names, String wrong) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    int limit = Math.max(2, wrong.length() / 3);
    for (String n : names) {
      int d = distance(n, wrong.toLowerCase(java.util.Locale.ROOT));
      if (d < bestD) {
        bestD = d;
        best = n;
      }
    }
    return bestD <= limit ? Optional.ofNullable(best) : Optional.empty();
  }

  /** Optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
