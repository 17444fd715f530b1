package io.lvspulse.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Prints a model as canonical multi-line lvs.cf (one directive per line, 4-space indent, the form
 * Piranha itself reads). {@code parse(write(c))} equals {@code c} for every model the parser can
 * produce. Global and virtual keys at their default value are left out, except the ones an operator
 * expects to see (service, network, heartbeat timings; active, address, port, protocol, scheduler,
 * timeout, reentry, quiesce_server...).
 */
public final class LvsConfigWriter {
  private LvsConfigWriter() {}

  /** The whole file. */
  public static String write(LvsConfig c) {
    StringBuilder out = new StringBuilder();
    writeGlobal(out, c.global());
    for (VirtualService v : c.virtuals()) {
      out.append('\n');
      writeBlock(out, "virtual", v);
    }
    for (VirtualService v : c.failovers()) {
      out.append('\n');
      writeBlock(out, "failover", v);
    }
    return out.toString();
  }

  private static void writeGlobal(StringBuilder o, GlobalSettings g) {
    GlobalSettings d = GlobalSettings.defaults();
    if (g.serialNo() != 0) {
      kv(o, "", "serial_no", Integer.toString(g.serialNo()));
    }
    g.primary().ifPresent(a -> kv(o, "", "primary", ip(a)));
    if (!g.primaryPrivate().equals(g.primary())) {
      g.primaryPrivate().ifPresent(a -> kv(o, "", "primary_private", ip(a)));
    }
    g.primaryShared().ifPresent(s -> kv(o, "", "primary_shared", word(s)));
    kv(o, "", "service", g.service().keyword());
    kv(o, "", "backup_active", bool(g.backupActive()));
    g.backup().ifPresent(a -> kv(o, "", "backup", ip(a)));
    if (!g.backupPrivate().equals(g.backup())) {
      g.backupPrivate().ifPresent(a -> kv(o, "", "backup_private", ip(a)));
    }
    g.backupShared().ifPresent(s -> kv(o, "", "backup_shared", word(s)));
    kv(o, "", "heartbeat", bool(g.heartbeat()));
    kv(o, "", "heartbeat_port", Integer.toString(g.heartbeatPort()));
    kv(o, "", "keepalive", secs(g.keepalive()));
    kv(o, "", "deadtime", secs(g.deadtime()));
    kv(o, "", "network", g.network().keyword());
    g.natRouter().ifPresent(r -> kv(o, "", "nat_router", ip(r.address()) + " " + word(r.device())));
    g.natNetmask().ifPresent(m -> kv(o, "", "nat_nmask", ip(m)));
    if (!g.debugLevel().equals(d.debugLevel())) {
      kv(o, "", "debug_level", word(g.debugLevel()));
    }
    if (!g.rshCommand().equals(d.rshCommand())) {
      kv(o, "", "rsh_command", word(g.rshCommand()));
    }
    if (g.sync()) {
      kv(o, "", "sync", "1");
    }
    if (!g.ipvsadm().equals(d.ipvsadm())) {
      kv(o, "", "ipvsadm", path(g.ipvsadm()));
    }
    g.activeCmd().ifPresent(s -> kv(o, "", "active_cmd", quoted(s)));
    g.inactiveCmd().ifPresent(s -> kv(o, "", "inactive_cmd", quoted(s)));
    if (g.monitorLinks()) {
      kv(o, "", "monitor_links", "1");
    }
    if (g.syncdaemon() || !g.syncdIface().equals(d.syncdIface()) || g.syncdId() != 0) {
      kv(o, "", "syncdaemon", bool(g.syncdaemon()));
      kv(o, "", "syncd_iface", word(g.syncdIface()));
      kv(o, "", "syncd_id", Integer.toString(g.syncdId()));
    }
    if (g.tcpTimeout() != 0) {
      kv(o, "", "tcp_timeout", Integer.toString(g.tcpTimeout()));
    }
    if (g.tcpfinTimeout() != 0) {
      kv(o, "", "tcpfin_timeout", Integer.toString(g.tcpfinTimeout()));
    }
    if (g.udpTimeout() != 0) {
      kv(o, "", "udp_timeout", Integer.toString(g.udpTimeout()));
    }
    if (!g.hardShutdown()) {
      kv(o, "", "hard_shutdown", "0");
    }
    g.reservationConflictAction()
        .ifPresent(a -> kv(o, "", "reservation_conflict_action", a.keyword()));
    g.heartbeatKeyFile().ifPresent(p -> kv(o, "", "heartbeat_key_file", path(p)));
    if (g.failback()) {
      kv(o, "", "failback", "1");
    }
    if (g.manageFirewall()) {
      kv(o, "", "manage_firewall", "1");
    }
    EcmpSettings e = g.ecmp();
    EcmpSettings def = EcmpSettings.defaults();
    if (e.mode() != def.mode()) {
      kv(o, "", "director_mode", e.mode().keyword());
    }
    if (e.announceQuorum() != def.announceQuorum()) {
      kv(o, "", "announce_quorum", Integer.toString(e.announceQuorum()));
    }
    if (e.announceRise() != def.announceRise()) {
      kv(o, "", "announce_rise", Integer.toString(e.announceRise()));
    }
    if (e.announceFall() != def.announceFall()) {
      kv(o, "", "announce_fall", Integer.toString(e.announceFall()));
    }
    if (!e.announceInterval().equals(def.announceInterval())) {
      kv(o, "", "announce_interval", duration(e.announceInterval()));
    }
    if (!e.birdSocket().equals(def.birdSocket())) {
      kv(o, "", "bird_socket", path(e.birdSocket()));
    }
  }

  private static void writeBlock(StringBuilder o, String kind, VirtualService v) {
    String in = "    ";
    o.append(kind).append(' ').append(word(v.name())).append(" {\n");
    kv(o, in, "active", bool(v.active()));
    v.address().ifPresent(a -> kv(o, in, "address", ip(a.address()) + " " + word(a.device())));
    v.vipNetmask().ifPresent(m -> kv(o, in, "vip_nmask", ip(m)));
    v.sorryServer().ifPresent(a -> kv(o, in, "sorry_server", ip(a)));
    if (v.fwmark() != 0) {
      kv(o, in, "fwmark", Integer.toString(v.fwmark()));
    }
    kv(o, in, "port", Integer.toString(v.port()));
    if (!v.persistent().isZero()) {
      kv(o, in, "persistent", secs(v.persistent()));
    }
    v.pmask().ifPresent(m -> kv(o, in, "pmask", ip(m)));
    v.send().ifPresent(s -> kv(o, in, "send", quoted(s)));
    v.expect().ifPresent(s -> kv(o, in, "expect", quoted(s)));
    kv(o, in, "use_regex", bool(v.useRegex()));
    v.sendProgram().ifPresent(s -> kv(o, in, "send_program", quoted(s)));
    kv(o, in, "load_monitor", word(v.loadMonitor()));
    kv(o, in, "scheduler", v.scheduler().keyword());
    kv(o, in, "protocol", v.protocol().keyword());
    kv(o, in, "timeout", secs(v.timeout()));
    kv(o, in, "reentry", secs(v.reentry()));
    kv(o, in, "quiesce_server", bool(v.quiesceServer()));
    v.probeTimeoutOverride().ifPresent(d -> kv(o, in, "probe_timeout", duration(d)));
    if (!v.slowStart()) {
      kv(o, in, "slow_start", "0");
    }
    if (v.mhPort()) {
      kv(o, in, "mh_port", "1");
    }
    if (!v.clientMonitor().equals(VirtualService.DEFAULT_CLIENT_MONITOR)) {
      kv(o, in, "client_monitor", path(v.clientMonitor()));
    }
    v.startCmd().ifPresent(s -> kv(o, in, "start_cmd", quoted(s)));
    v.stopCmd().ifPresent(s -> kv(o, in, "stop_cmd", quoted(s)));
    v.master().ifPresent(a -> kv(o, in, "master", ip(a)));
    if (!v.dirs().isEmpty()) {
      StringBuilder l = new StringBuilder("[");
      for (String d : v.dirs()) {
        l.append(' ').append(word(d));
      }
      kv(o, in, "dirs", l.append(" ]").toString());
    }
    for (RealServer s : v.servers()) {
      String in2 = in + in;
      o.append(in).append("server ").append(word(s.name())).append(" {\n");
      kv(o, in2, "address", ip(s.address()));
      kv(o, in2, "active", bool(s.active()));
      kv(o, in2, "weight", Integer.toString(s.weight()));
      if (s.port() != v.port()) {
        kv(o, in2, "port", Integer.toString(s.port()));
      }
      o.append(in).append("}\n");
    }
    o.append("}\n");
  }

  private static void kv(StringBuilder o, String indent, String key, String value) {
    o.append(indent).append(key).append(" = ").append(value).append('\n');
  }

  private static String bool(boolean b) {
    return b ? "1" : "0";
  }

  private static String ip(InetAddress a) {
    return a.getHostAddress();
  }

  private static String secs(Duration d) {
    return Long.toString(d.toSeconds());
  }

  private static String duration(Duration d) {
    return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : d.toMillis() + "ms";
  }

  private static String path(Path p) {
    return word(p.toString());
  }

  /** A single-token value: bare when it can be, quoted otherwise. */
  static String word(String s) {
    return bareSafe(s) ? s : quoted(s);
  }

  /** True if {@code s} reads back as one unquoted token with the same text. */
  static boolean bareSafe(String s) {
    return !s.isEmpty()
        && s.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == '\r')
        && s.charAt(0) != '"'
        && s.charAt(0) != '\''
        && s.charAt(0) != '#'
        && !s.equals("}")
        && !s.equals("{")
        && !s.equals("[")
        && !s.equals("]")
        && !s.equals("=");
  }

  /**
   * A quoted value: {@code "..."}, or {@code '...'} if it contains a double quote, or bare if it
   * holds both quote kinds and no blank (lvs.cf has no escapes).
   */
  static String quoted(String s) {
    if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("lvs.cf values cannot contain line breaks: " + s);
    }
    if (s.indexOf('"') < 0) {
      return '"' + s + '"';
    }
    if (s.indexOf('\'') < 0) {
      return "'" + s + "'";
    }
    if (bareSafe(s)) {
      return s;
    }
    throw new IllegalArgumentException(
        "lvs.cf cannot write a value that contains both ' and \" and a blank: " + s);
  }
}
