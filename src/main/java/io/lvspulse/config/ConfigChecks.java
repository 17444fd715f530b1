package io.lvspulse.config;

import com.google.re2j.PatternSyntaxException;
import io.lvspulse.config.Lexer.Token;
import io.lvspulse.net.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The checks beyond the grammar, on the model the parser built, with the blocks' positions for the
 * messages: settings that contradict each other (duplicate fwmark, VIP:protocol:port or server;
 * port 0 without persistence; an invalid {@code expect} regex; a blank {@code send_program}) are
 * errors, settings that probably do not do what the operator means are warnings. Blocks with a
 * syntax error are not checked further.
 */
final class ConfigChecks {
  private final Report report;
  private final Map<String, Token> globalKeys;
  private final List<VirtualBlock> virtuals;
  private final List<VirtualBlock> failovers;

  /**
   * @param globalKeys where each global key was written
   * @param virtuals the virtual blocks, in the order of {@link LvsConfig#virtuals()}
   * @param failovers the failover blocks, in the order of {@link LvsConfig#failovers()}
   */
  ConfigChecks(
      Report report,
      Map<String, Token> globalKeys,
      List<VirtualBlock> virtuals,
      List<VirtualBlock> failovers) {
    this.report = report;
    this.globalKeys = globalKeys;
    this.virtuals = virtuals;
    this.failovers = failovers;
  }

  private void err(Token t, String msg) {
    report.error(t, msg);
  }

  private void warn(@Nullable Token t, String msg) {
    report.warn(t, msg);
  }

  /** A service-name port that /etc/services does not define for the block's protocol. */
  private void portNames(List<VirtualBlock> blocks, List<VirtualService> built) {
    for (int i = 0; i < blocks.size(); i++) {
      VirtualBlock blk = blocks.get(i);
      VirtualService v = built.get(i);
      Token pn = blk.portName;
      if (pn != null && !blk.portNameProtocols.containsKey(v.protocol().keyword())) {
        warn(
            pn,
            "service '"
                + Report.show(pn.text())
                + "' is not defined for "
                + v.protocol().keyword()
                + " in /etc/services; using its "
                + String.join("/", blk.portNameProtocols.keySet())
                + " port "
                + v.port());
      }
    }
  }

  private Token posOf(VirtualBlock blk, String key) {
    Token t = blk.keys.get(key);
    return t != null ? t : blk.opener;
  }

  /** Reports every problem of {@code config}, read from these blocks. */
  void run(LvsConfig config) {
    GlobalSettings gs = config.global();
    if (gs.primary().isEmpty() && gs.primaryPrivate().isPresent()) {
      Token t = globalKeys.get("primary_private");
      if (t != null) {
        warn(t, "'primary_private' without 'primary'");
      }
    }
    portNames(virtuals, config.virtuals());
    portNames(failovers, config.failovers());
    if (gs.keepalive().compareTo(gs.deadtime()) >= 0) {
      Token t = globalKeys.getOrDefault("deadtime", globalKeys.get("keepalive"));
      if (t != null) {
        warn(
            t,
            "'deadtime' ("
                + Keys.fractionalSeconds(gs.deadtime())
                + " s) should be longer than"
                + " 'keepalive' ("
                + Keys.fractionalSeconds(gs.keepalive())
                + " s), or one lost heartbeat"
                + " causes a failover");
      }
    }
    if (gs.backupActive() && gs.backup().isEmpty()) {
      warn(globalKeys.get("backup_active"), "'backup_active = 1' but no 'backup' address is set");
    }
    if (gs.primary().isPresent() && gs.primary().equals(gs.backup())) {
      warn(globalKeys.get("backup"), "'backup' is the same address as 'primary'");
    }
    if (gs.service() == ServiceType.FOS) {
      warn(
          globalKeys.get("service"),
          "'service = fos': lvs-pulse runs LVS only; the failover" + " blocks are ignored");
    }
    checkDirectorFamilies(gs);
    checkMaskFamily(
        globalKeys.get("nat_nmask"),
        "nat_nmask",
        gs.natNetmask(),
        gs.natRouter().map(NatRouter::address),
        "the nat_router address");
    checkEcmp(config);
    Map<String, VirtualBlock> fwmarks = new HashMap<>();
    Map<String, VirtualBlock> endpoints = new HashMap<>();
    Map<InetAddress, Integer> vipDevices = new HashMap<>(); // VIP -> index of its first virtual
    for (int i = 0; i < virtuals.size(); i++) {
      VirtualBlock blk = virtuals.get(i);
      VirtualService v = config.virtuals().get(i);
      checkVirtual(gs, blk, v);
      if (blk.hadError) {
        continue;
      }
      if (v.active() && v.isFwmark()) {
        // IPVS keys a fwmark service by mark and address family: -f 1 and -f 1 -6 are two.
        String family = v.vip().map(Addresses::family).orElse("IPv4");
        VirtualBlock other = fwmarks.putIfAbsent(v.fwmark() + " " + family, blk);
        if (other != null) {
          err(
              posOf(blk, "fwmark"),
              "fwmark "
                  + v.fwmark()
                  + (family.equals("IPv6") ? " (IPv6)" : "")
                  + " is already used by "
                  + other.label()
                  + " (line "
                  + other.opener.line()
                  + ")");
        }
      }
      if (v.active() && !v.isFwmark() && v.address().isPresent()) {
        String ep =
            Addresses.canonical(v.address().get().address())
                + " "
                + v.protocol().keyword()
                + ":"
                + v.port();
        VirtualBlock other = endpoints.putIfAbsent(ep, blk);
        if (other != null) {
          err(
              posOf(blk, "port"),
              blk.label()
                  + " uses the same VIP, protocol and port ("
                  + Addresses.canonical(v.address().get().address())
                  + " "
                  + v.protocol().keyword()
                  + " "
                  + v.port()
                  + ") as "
                  + other.label()
                  + " (line "
                  + other.opener.line()
                  + ")");
        }
      }
      if (v.active() && v.address().isPresent()) {
        VirtualAddress va = v.address().get();
        Integer otherIndex = vipDevices.putIfAbsent(va.address(), i);
        if (otherIndex != null) {
          VirtualBlock other = virtuals.get(otherIndex);
          VirtualService ov = config.virtuals().get(otherIndex);
          if (ov.address().isPresent() && !ov.address().get().device().equals(va.device())) {
            warn(
                posOf(blk, "address"),
                "VIP "
                    + Addresses.canonical(va.address())
                    + " is on device "
                    + va.device()
                    + " here but on "
                    + ov.address().get().device()
                    + " in "
                    + other.label());
          }
        }
      }
    }
  }

  /**
   * {@code director_mode = ecmp}: warns about every setting ECMP mode overrides or that breaks it
   * (each is ignored, with the reason), and about a missing {@code udp_timeout}.
   */
  private void checkEcmp(LvsConfig config) {
    GlobalSettings gs = config.global();
    if (!gs.ecmp().ecmp()) {
      for (int i = 0; i < virtuals.size(); i++) {
        VirtualService v = config.virtuals().get(i);
        if (v.mhPort() && v.scheduler() != Scheduler.MH) {
          warn(
              posOf(virtuals.get(i), "mh_port"),
              "'mh_port' applies to the mh scheduler only (scheduler = mh, or director_mode ="
                  + " ecmp)");
        }
      }
      return;
    }
    if (gs.primary().isPresent()) {
      warn(
          globalKeys.get("primary"),
          "director_mode = ecmp: 'primary', 'backup' and the heartbeat keys are not used: every"
              + " director is active and announces its VIPs to the router through BIRD");
    }
    boolean udp = false;
    String mode = "in director_mode = ecmp";
    for (int i = 0; i < virtuals.size(); i++) {
      VirtualBlock blk = virtuals.get(i);
      VirtualService v = config.virtuals().get(i);
      if (blk.hadError || !v.active()) {
        continue;
      }
      String l = blk.label() + ": ";
      if (v.address().isPresent() && !v.address().get().device().equals("lo")) {
        warn(
            posOf(blk, "address"),
            l
                + "the VIP goes on lo "
                + mode
                + " (the router brings its packets, no ARP); the device '"
                + v.address().get().device()
                + "' is not used");
      }
      if (blk.keys.containsKey("scheduler") && v.scheduler() != Scheduler.MH) {
        warn(
            posOf(blk, "scheduler"),
            l
                + "'scheduler = "
                + v.scheduler().keyword()
                + "' is ignored "
                + mode
                + ", which programs -s mh -b mh-fallback: any other scheduler decides on each"
                + " director alone, so two directors send one client to different real servers");
      }
      if (!v.persistent().isZero()) {
        warn(
            posOf(blk, "persistent"),
            l
                + "'persistent' is ignored "
                + mode
                + " (no -p): a persistence template lives on one director only, while mh keeps a"
                + " client on the same real server on every director");
      }
      if (blk.keys.containsKey("quiesce_server") && !v.quiesceServer()) {
        warn(
            posOf(blk, "quiesce_server"),
            l
                + "'quiesce_server = 0' is ignored "
                + mode
                + ": a failed real server is always quiesced to weight 0, never deleted, since"
                + " deleting and adding it again would reshuffle mh's table");
      }
      if (blk.keys.containsKey("slow_start") && v.slowStart()) {
        warn(
            posOf(blk, "slow_start"),
            l
                + "'slow_start = 1' is ignored "
                + mode
                + ": weights stay as configured, since each weight change rebuilds mh's table"
                + " and the directors would ramp at different times");
      }
      if (v.sorryServer().isPresent()) {
        warn(
            posOf(blk, "sorry_server"),
            l
                + "'sorry_server' is ignored "
                + mode
                + ": a director with too few real servers up withdraws the VIP instead");
      }
      int quorum = gs.ecmp().announceQuorum();
      if (v.activeServers().size() < quorum) {
        warn(
            blk.opener,
            l
                + v.activeServers().size()
                + " active real server(s), fewer than announce_quorum = "
                + quorum
                + ": no director will ever announce its VIP");
      }
      udp |= v.isFwmark() || v.protocol() == Protocol.UDP;
    }
    if (udp && gs.udpTimeout() == 0) {
      warn(
          globalKeys.get("director_mode"),
          "director_mode = ecmp with UDP services: set 'udp_timeout' (e.g. 10 for TFTP): the"
              + " kernel keeps an idle UDP connection entry 300 s, so a flow a director has seen"
              + " stays on a failed real server that long there, while new flows move at once");
    }
  }

  /**
   * The heartbeat goes from one director's address to the other's, so {@code primary} and {@code
   * backup} (and their private addresses) are of one address family.
   */
  private void checkDirectorFamilies(GlobalSettings gs) {
    String[][] pairs = {{"primary", "backup"}, {"primary_private", "backup_private"}};
    for (String[] pair : pairs) {
      Optional<InetAddress> p = pair[0].equals("primary") ? gs.primary() : gs.primaryPrivate();
      Optional<InetAddress> b = pair[0].equals("primary") ? gs.backup() : gs.backupPrivate();
      if (p.isEmpty() || b.isEmpty() || Addresses.ipv6(p.get()) == Addresses.ipv6(b.get())) {
        continue;
      }
      Token t = globalKeys.getOrDefault(pair[1], globalKeys.get(pair[0]));
      if (t == null) {
        t = globalKeys.getOrDefault("backup", globalKeys.get("primary"));
      }
      if (t != null) {
        err(
            t,
            "'"
                + pair[1]
                + "' ("
                + Addresses.canonical(b.get())
                + ") is "
                + Addresses.family(b.get())
                + " but '"
                + pair[0]
                + "' ("
                + Addresses.canonical(p.get())
                + ") is "
                + Addresses.family(p.get())
                + ": the heartbeat goes between the two, so both must be of one address family");
      }
    }
  }

  /**
   * A netmask key ({@code vip_nmask}, {@code pmask}, {@code nat_nmask}) has the family of the
   * address it applies to: a dotted netmask for IPv4, a prefix length for IPv6.
   */
  private void checkMaskFamily(
      @Nullable Token at,
      String key,
      Optional<InetAddress> mask,
      Optional<InetAddress> address,
      String what) {
    if (at == null || mask.isEmpty() || address.isEmpty()) {
      return;
    }
    boolean v6Mask = Addresses.ipv6(mask.get());
    if (v6Mask == Addresses.ipv6(address.get())) {
      return;
    }
    err(
        at,
        v6Mask
            ? "'"
                + key
                + "' is a prefix length, which is for IPv6, but "
                + what
                + " ("
                + Addresses.canonical(address.get())
                + ") is IPv4: write a dotted netmask such as 255.255.255.0"
            : "'"
                + key
                + "' is a dotted IPv4 netmask, but "
                + what
                + " ("
                + Addresses.canonical(address.get())
                + ") is IPv6: write a prefix length such as 64");
  }

  private void checkVirtual(GlobalSettings gs, VirtualBlock blk, VirtualService v) {
    if (blk.hadError) {
      return;
    }
    if (v.active() && v.address().isEmpty()) {
      err(blk.opener, "active " + blk.label() + " has no 'address = VIP DEVICE'");
    }
    if (v.active() && !v.isFwmark() && v.port() == 0 && v.persistent().isZero()) {
      err(posOf(blk, "port"), blk.label() + ": port 0 needs 'persistent' or a 'fwmark'");
    }
    if (v.active() && v.activeServers().isEmpty()) {
      warn(blk.opener, blk.label() + " has no active real server (a server needs 'active = 1')");
    }
    if (v.reentry().compareTo(v.timeout()) < 0) {
      Token t = blk.keys.containsKey("reentry") ? blk.keys.get("reentry") : posOf(blk, "timeout");
      warn(
          t,
          "'reentry' ("
              + v.reentry().toSeconds()
              + " s) is shorter than 'timeout' ("
              + v.timeout().toSeconds()
              + " s): a failed server returns after one good probe");
    }
    if (v.sendProgram().isPresent() && v.send().isPresent()) {
      warn(posOf(blk, "send"), "'send' is ignored because 'send_program' is set");
    }
    if (v.sendProgram().isPresent() && !v.sendProgram().get().contains("%h")) {
      warn(
          posOf(blk, "send_program"),
          "'send_program' has no %h: every real server runs the" + " same command");
    }
    if (v.sendProgram().isPresent() && v.sendProgram().get().isBlank()) {
      err(posOf(blk, "send_program"), "'send_program' is blank: there is no program to run");
    }
    if (v.useRegex() && v.expect().isPresent()) {
      try {
        ProbeSpec.expectRegex(Escapes.translate(v.expect().get()));
      } catch (PatternSyntaxException | StackOverflowError e) {
        String why = e instanceof PatternSyntaxException p ? p.getDescription() : "too complex";
        err(
            posOf(blk, "expect"),
            "'expect' is not a valid regular expression (use_regex = 1): " + why);
      }
    } else if (v.useRegex() && v.expect().isEmpty()) {
      warn(posOf(blk, "use_regex"), "'use_regex = 1' has no effect without 'expect'");
    }
    if (v.quiesceServer() && !v.persistent().isZero() && v.active()) {
      warn(
          posOf(blk, "quiesce_server"),
          "quiesce_server with persistent: clients that have a"
              + " persistence template keep reaching a quiesced (weight 0) server until the template"
              + " expires; consider sysctl net.ipv4.vs.expire_quiescent_template=1");
    }
    if (v.active()
        && v.protocol() == Protocol.UDP
        && v.send().isEmpty()
        && v.sendProgram().isEmpty()) {
      warn(
          posOf(blk, "protocol"),
          "UDP "
              + blk.label()
              + " has neither 'send' nor"
              + " 'send_program': the probe sends nothing, so no UDP server can ever answer it");
    }
    if (v.probeTimeoutOverride().isPresent()
        && v.probeTimeoutOverride().get().compareTo(v.timeout()) > 0) {
      warn(
          posOf(blk, "probe_timeout"),
          "'probe_timeout' is longer than 'timeout' (the probe" + " interval)");
    }
    if (v.vip().isPresent()
        && v.sorryServer().isPresent()
        && Addresses.ipv6(v.vip().get()) != Addresses.ipv6(v.sorryServer().get())) {
      err(
          posOf(blk, "sorry_server"),
          otherFamily("'sorry_server'", v.sorryServer().get(), blk.label(), v.vip().get()));
    }
    checkMaskFamily(
        blk.keys.get("vip_nmask"),
        "vip_nmask",
        v.vipNetmask(),
        v.vip(),
        "the VIP of " + blk.label());
    checkMaskFamily(
        blk.keys.get("pmask"), "pmask", v.pmask(), v.vip(), "the VIP of " + blk.label());
    if (v.pmask().isPresent() && v.persistent().isZero()) {
      warn(posOf(blk, "pmask"), "'pmask' has no effect without 'persistent'");
    }
    Map<String, ServerBlock> seen = new HashMap<>();
    Map<String, Integer> seenPort = new HashMap<>();
    int idx = 0;
    for (ServerBlock sb : blk.servers) {
      if (sb.address == null) {
        continue;
      }
      RealServer rs = v.servers().get(idx++);
      String key = Addresses.canonical(new InetSocketAddress(rs.address(), rs.port()));
      // a fwmark service with direct routing or tunnelling has its real servers as RIP:0 in IPVS
      // (director.ConfigTables#destinationAddress): one destination per address
      boolean portless = v.isFwmark() && gs.network() != Network.NAT;
      ServerBlock first = seen.putIfAbsent(portless ? Addresses.canonical(rs.address()) : key, sb);
      Integer firstPort = portless ? seenPort.putIfAbsent(key, rs.port()) : null;
      Token at = sb.keys.getOrDefault("address", sb.opener);
      if (first != null && portless && firstPort == null) {
        err(
            at,
            "server '"
                + Report.show(sb.name)
                + "' has the same address ("
                + Addresses.canonical(rs.address())
                + ") as server '"
                + Report.show(first.name)
                + "' (line "
                + first.opener.line()
                + ") in "
                + blk.label()
                + ": with network "
                + gs.network().keyword()
                + " a firewall-mark service forwards by address only, so they would be one IPVS"
                + " destination");
      } else if (first != null) {
        err(
            at,
            "server '"
                + Report.show(sb.name)
                + "' has the same address and port ("
                + key
                + ") as server '"
                + Report.show(first.name)
                + "' (line "
                + first.opener.line()
                + ") in "
                + blk.label());
      }
      if (v.vip().isPresent() && Addresses.ipv6(v.vip().get()) != Addresses.ipv6(rs.address())) {
        err(at, otherFamily("server '" + sb.name + "'", rs.address(), blk.label(), v.vip().get()));
      }
      if (v.sorryServer().isPresent() && v.sorryServer().get().equals(rs.address())) {
        warn(at, sb.label() + " is also the sorry_server of " + blk.label());
      }
      if (rs.active() && rs.weight() == 0) {
        warn(
            sb.keys.getOrDefault("weight", sb.opener),
            sb.label() + " has weight 0: it never receives new connections");
      }
      if (!v.isFwmark() && gs.network() != Network.NAT && rs.port() != v.port()) {
        warn(
            sb.keys.getOrDefault("port", sb.opener),
            "server '"
                + Report.show(sb.name)
                + "' port "
                + rs.port()
                + " differs from the virtual port "
                + v.port()
                + ", but network "
                + gs.network().keyword()
                + " cannot change ports: packets arrive on port "
                + v.port());
      }
    }
  }

  /** "WHAT (ADDR) is IPvX but the VIP of BLOCK (VIP) is IPvY: a virtual service is one family". */
  private static String otherFamily(
      String what, java.net.InetAddress address, String block, java.net.InetAddress vip) {
    return what
        + " ("
        + Addresses.canonical(address)
        + ") is "
        + Addresses.family(address)
        + " but the VIP of "
        + block
        + " ("
        + Addresses.canonical(vip)
        + ") is "
        + Addresses.family(vip)
        + ": a virtual service is one address family";
  }
}
