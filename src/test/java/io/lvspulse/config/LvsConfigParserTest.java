package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LvsConfigParserTest {
  static final String V = "virtual web {\n    active = 1\n    address = 203.0.113.20 eth0:2\n";
  static final String S = "    server a {\n        address = 10.0.0.2\n        active = 1\n    }\n";

  static ParsedConfig parse(String text) throws ConfigException {
    return TestParsers.parser().parse("t.cf", text);
  }

  static ConfigException reject(String text) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(text));
    assertThat(e).as("must be rejected:%n%s", text).isNotNull();
    return e;
  }

  static List<String> warnings(String text) throws ConfigException {
    return parse(text).warnings().stream().map(Diagnostic::toString).toList();
  }

  @Test
  void an_empty_file_gives_piranhas_global_defaults() throws Exception {
    GlobalSettings g = parse("").config().global();
    assertThat(g).isEqualTo(GlobalSettings.defaults());
    assertThat(g.network()).isEqualTo(Network.NAT);
    assertThat(g.heartbeatPort()).isEqualTo(539);
    assertThat(g.keepalive()).isEqualTo(Duration.ofSeconds(2));
    assertThat(g.deadtime()).isEqualTo(Duration.ofSeconds(5));
    assertThat(g.hardShutdown()).isTrue();
    assertThat(g.service()).isEqualTo(ServiceType.LVS);
    assertThat(g.ipvsadm()).isEqualTo(Path.of("/sbin/ipvsadm"));
    assertThat(g.rshCommand()).isEqualTo("rsh");
    assertThat(g.debugLevel()).isEqualTo("NONE");
    assertThat(g.syncdIface()).isEqualTo("eth0");
    assertThat(g.failback()).isFalse();
    assertThat(g.manageFirewall()).isFalse();
    assertThat(g.heartbeatKeyFile()).isEmpty();
  }

  @Test
  void a_bare_virtual_gets_piranhas_defaults_and_servers_default_to_inactive() throws Exception {
    VirtualService v =
        parse("virtual x {\n server s {\n address = 10.0.0.1\n }\n}\n").config().virtuals().get(0);
    assertThat(v.active()).isFalse();
    assertThat(v.port()).isEqualTo(80);
    assertThat(v.protocol()).isEqualTo(Protocol.TCP);
    assertThat(v.scheduler()).isEqualTo(Scheduler.WLC);
    assertThat(v.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(v.reentry()).isEqualTo(Duration.ofSeconds(180));
    assertThat(v.reentryCount()).isEqualTo(18);
    assertThat(v.loadMonitor()).isEqualTo("none");
    assertThat(v.clientMonitor()).isEqualTo(Path.of("/usr/sbin/nanny"));
    assertThat(v.slowStart()).isTrue();
    assertThat(v.probeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(v.servers().get(0))
        .isEqualTo(new RealServer("s", InetAddress.getByName("10.0.0.1"), false, 1, 80));
    assertThat(v.activeServers()).isEmpty();
  }

  @Test
  void private_heartbeat_addresses_default_to_the_public_ones() throws Exception {
    GlobalSettings g = parse("primary = 192.0.2.1\nbackup = 192.0.2.2\n").config().global();
    assertThat(g.primaryPrivate()).isEqualTo(g.primary());
    assertThat(g.backupPrivate()).isEqualTo(g.backup());
    GlobalSettings h = parse("primary = 192.0.2.1\nprimary_private = 10.1.1.1\n").config().global();
    assertThat(h.primaryPrivate()).contains(InetAddress.getByName("10.1.1.1"));
  }

  @Test
  void a_server_takes_the_virtual_port_in_force_at_its_server_line() throws Exception {
    String text =
        "virtual x {\n port = 21\n server a {\n address = 10.0.0.1\n }\n port = 22\n"
            + " server b {\n address = 10.0.0.2\n }\n}\n";
    ParsedConfig pc = parse(text);
    VirtualService v = pc.config().virtuals().get(0);
    assertThat(v.port()).isEqualTo(22);
    assertThat(v.servers()).extracting(RealServer::port).containsExactly(21, 22);
    assertThat(pc.warnings())
        .extracting(Diagnostic::toString)
        .anyMatch(
            w ->
                w.startsWith(
                    "t.cf:6:9: warning: 'port' comes after server 'a', which keeps port 21"));
  }

  @Test
  void reentry_count_is_floor_of_reentry_over_timeout_and_at_least_one() throws Exception {
    VirtualService v =
        parse(V + "    timeout = 6\n    reentry = 15\n" + S + "}\n").config().virtuals().get(0);
    assertThat(v.reentryCount()).isEqualTo(2);
    assertThat(v.probeInterval()).isEqualTo(Duration.ofSeconds(6));
    ParsedConfig short_ = parse(V + "    timeout = 10\n    reentry = 5\n" + S + "}\n");
    assertThat(short_.config().virtuals().get(0).reentryCount()).isEqualTo(1);
    assertThat(short_.warnings())
        .extracting(Diagnostic::toString)
        .contains(
            "t.cf:5:15: warning: 'reentry' (5 s) is shorter than 'timeout' (10 s): a failed server returns after one good probe");
  }

  @Test
  void probe_timeout_extension_accepts_seconds_and_milliseconds() throws Exception {
    VirtualService v =
        parse(V + "    timeout = 6\n    probe_timeout = 1500ms\n" + S + "}\n")
            .config()
            .virtuals()
            .get(0);
    assertThat(v.probeTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(v.probeInterval()).isEqualTo(Duration.ofSeconds(6));
    VirtualService w = parse(V + "    probe_timeout = 2\n" + S + "}\n").config().virtuals().get(0);
    assertThat(w.probeTimeoutOverride()).contains(Duration.ofSeconds(2));
  }

  @Test
  void crlf_and_bare_cr_end_lines_like_piranha() throws Exception {
    String unix = V + S + "}\n";
    LvsConfig a = parse(unix).config();
    assertThat(parse(unix.replace("\n", "\r\n")).config()).isEqualTo(a);
    assertThat(parse(unix.replace("\n", "\r")).config()).isEqualTo(a);
    ConfigException e = reject("keepalive = x\r\ndeadtime = y\r\n");
    assertThat(e.errors()).extracting(Diagnostic::line).containsExactly(1, 2);
  }

  @Test
  void hash_starts_a_comment_only_where_a_directive_could_start() throws Exception {
    ParsedConfig pc =
        parse(
            "keepalive = 3 # three seconds\n"
                + V
                + "    expect = #banner\n    # whole-line comment\n"
                + S
                + "}\n");
    assertThat(pc.config().global().keepalive()).isEqualTo(Duration.ofSeconds(3));
    assertThat(pc.config().virtuals().get(0).expect()).contains("#banner");
  }

  @Test
  void quotes_are_stripped_for_both_quote_kinds_and_keep_blanks() throws Exception {
    VirtualService v =
        parse(V + "    send = 'GET / \"x\"'\n    expect = \"it's\"\n" + S + "}\n")
            .config()
            .virtuals()
            .get(0);
    assertThat(v.send()).contains("GET / \"x\"");
    assertThat(v.expect()).contains("it's");
  }

  @Test
  void numbers_are_read_like_strtol_base_zero_with_a_warning_for_octal() throws Exception {
    ParsedConfig pc = parse("keepalive = 0x3\ndeadtime = 010\nserial_no = -4\n");
    assertThat(pc.config().global().keepalive()).isEqualTo(Duration.ofSeconds(3));
    assertThat(pc.config().global().deadtime()).isEqualTo(Duration.ofSeconds(8));
    assertThat(pc.config().global().serialNo()).isEqualTo(-4);
    assertThat(pc.warnings())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "t.cf:2:12: warning: 'deadtime = 010' is octal (leading 0), so it means 8, as in Piranha; write 8 if that is what you mean");
  }

  @Test
  void host_names_are_resolved_once_and_service_names_give_ports() throws Exception {
    ParsedConfig pc =
        parse(
            "primary = director1\nheartbeat_port = pulse\n"
                + V.replace("web", "w")
                + "    port = http\n    server a {\n        address = ftp1.example\n        active = 1\n    }\n}\n");
    assertThat(pc.config().global().primary()).contains(InetAddress.getByName("192.0.2.1"));
    assertThat(pc.config().global().heartbeatPort()).isEqualTo(539);
    VirtualService v = pc.config().virtuals().get(0);
    assertThat(v.port()).isEqualTo(80);
    assertThat(v.servers().get(0).address()).isEqualTo(InetAddress.getByName("10.0.0.2"));
  }

  @Test
  void port_tftp_works_for_a_udp_virtual_unlike_piranha() throws Exception {
    ParsedConfig pc =
        parse(V + "    protocol = udp\n    send = \"x\"\n    port = tftp\n" + S + "}\n");
    assertThat(pc.config().virtuals().get(0).port()).isEqualTo(69);
    assertThat(pc.warnings()).isEmpty();
    ParsedConfig tcp = parse(V + "    port = tftp\n" + S + "}\n");
    assertThat(tcp.warnings())
        .extracting(Diagnostic::toString)
        .contains(
            "t.cf:4:12: warning: service 'tftp' is not defined for tcp in /etc/services; using its udp port 69");
  }

  @Test
  void pmask_of_all_ones_means_no_mask_as_in_piranha() throws Exception {
    VirtualService v =
        parse(V + "    persistent = 30\n    pmask = 255.255.255.255\n" + S + "}\n")
            .config()
            .virtuals()
            .get(0);
    assertThat(v.pmask()).isEmpty();
    VirtualService w =
        parse(V + "    persistent = 30\n    pmask = 255.255.255.0\n" + S + "}\n")
            .config()
            .virtuals()
            .get(0);
    assertThat(w.pmask()).contains(InetAddress.getByName("255.255.255.0"));
  }

  @Test
  void inet_aton_short_forms_are_accepted_with_a_warning() throws Exception {
    ParsedConfig pc = parse("primary = 10.1\n");
    assertThat(pc.config().global().primary()).contains(InetAddress.getByName("10.0.0.1"));
    assertThat(pc.warnings())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "t.cf:1:11: warning: 'primary = 10.1' is read as 10.0.0.1 (inet_aton: short forms, hex and leading-0 octal parts); write 10.0.0.1");
  }

  @Test
  void schedulers_sed_and_nq_are_accepted_as_extensions() throws Exception {
    assertThat(
            parse(V + "    scheduler = sed\n" + S + "}\n").config().virtuals().get(0).scheduler())
        .isEqualTo(Scheduler.SED);
    assertThat(parse(V + "    scheduler = nq\n" + S + "}\n").config().virtuals().get(0).scheduler())
        .isEqualTo(Scheduler.NQ);
    assertThat(Scheduler.SED.piranha()).isFalse();
  }

  @Test
  void syncd_id_is_masked_to_a_byte_with_a_warning() throws Exception {
    ParsedConfig pc = parse("syncd_id = 300\n");
    assertThat(pc.config().global().syncdId()).isEqualTo(44);
    assertThat(pc.warnings()).hasSize(1);
  }

  @Test
  void reentry_zero_means_the_default_180_as_nanny() throws Exception {
    assertThat(parse(V + "    reentry = 0\n" + S + "}\n").config().virtuals().get(0).reentry())
        .isEqualTo(Duration.ofSeconds(180));
  }

  @Test
  void every_error_of_the_file_is_reported_in_file_order() {
    ConfigException e =
        reject("keepalive = x\nfoo = 1\nvirtual a {\n  scheduler = maglev\n  weight = 2\n}\n}\n");
    assertThat(e.errors())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "lvs:1:13: error: bad number for 'keepalive': 'x' is not a number (expected an integer: decimal, 0x hex, or leading-0 octal)"
                .replace("lvs:", "t.cf:"),
            "t.cf:2:1: error: unknown key 'foo' in the global section",
            "t.cf:4:15: error: unknown scheduler 'maglev': expected one of lc rr wlc wrr lblc lblcr dh sh sed nq mh",
            "t.cf:5:3: error: 'weight' is a real-server key: it cannot be used in virtual 'a' (put it inside 'server NAME { ... }')",
            "t.cf:7:1: error: unexpected '}': no block is open here");
    assertThat(e.getMessage())
        .isEqualTo(String.join("\n", e.errors().stream().map(Diagnostic::toString).toList()));
  }

  @Test
  void the_flattened_form_accepts_several_blocks_and_trailing_directives_on_one_line()
      throws Exception {
    LvsConfig c =
        parse(
                "network = direct virtual a { active = 1 address = 203.0.113.1 eth0:1 "
                    + "server s { address = 10.0.0.1 active = 1 } } virtual b { active = 0 }\n")
            .config();
    assertThat(c.global().network()).isEqualTo(Network.DIRECT);
    assertThat(c.virtuals()).extracting(VirtualService::name).containsExactly("a", "b");
    assertThat(c.activeVirtuals()).hasSize(1);
  }

  @Test
  void sub_second_keepalive_and_deadtime_are_an_extension_with_a_pulse_compatibility_warning()
      throws Exception {
    ParsedConfig pc = parse("keepalive = 0.2\ndeadtime = 0.8\n");
    assertThat(pc.config().global().keepalive()).isEqualTo(Duration.ofMillis(200));
    assertThat(pc.config().global().deadtime()).isEqualTo(Duration.ofMillis(800));
    assertThat(pc.warnings().stream().map(Diagnostic::toString))
        .containsExactly(
            "t.cf:1:13: warning: 'keepalive = 0.2': fractional seconds are an lvs-pulse extension;"
                + " Piranha's pulse reads whole seconds, so this file is no longer pulse-compatible",
            "t.cf:2:12: warning: 'deadtime = 0.8': fractional seconds are an lvs-pulse extension;"
                + " Piranha's pulse reads whole seconds, so this file is no longer pulse-compatible");
    assertThat(LvsConfigWriter.write(pc.config()))
        .contains("keepalive = 0.2\n", "deadtime = 0.8\n");
    // whole seconds written as decimals are still whole seconds: no warning
    assertThat(warnings("keepalive = 1.000\ndeadtime = 3.5\n"))
        .singleElement()
        .asString()
        .contains("'deadtime = 3.5'");
    assertThat(reject("keepalive = 0.01\n").errors().get(0).toString())
        .isEqualTo("t.cf:1:13: error: 'keepalive' must be at least 0.05 s, found 0.01");
    assertThat(reject("deadtime = 0\n").errors()).hasSize(1);
    assertThat(reject("deadtime = 1.2345\n").errors()).hasSize(1);
    assertThat(warnings("keepalive = 0.5\ndeadtime = 0.5\n"))
        .contains(
            "t.cf:2:12: warning: 'deadtime' (0.5 s) should be longer than 'keepalive' (0.5 s), or one"
                + " lost heartbeat causes a failover");
  }

  @Test
  void operator_mistakes_give_warnings() throws Exception {
    List<String> w =
        warnings(
            "keepalive = 5\ndeadtime = 5\n"
                + V
                + "    send = \"x\"\n    send_program = \"/bin/check\"\n    persistent = 30\n    quiesce_server = 1\n"
                + "    protocol = udp\n    sorry_server = 10.0.0.2\n"
                + S
                + "    server b {\n        address = 10.0.0.3\n        active = 1\n        weight = 0\n    }\n}\n"
                + "virtual idle {\n    active = 1\n    address = 203.0.113.21 eth0:3\n}\n");
    assertThat(w)
        .containsExactly(
            "t.cf:2:12: warning: 'deadtime' (5 s) should be longer than 'keepalive' (5 s), or one lost heartbeat causes a failover",
            "t.cf:6:12: warning: 'send' is ignored because 'send_program' is set",
            "t.cf:7:20: warning: 'send_program' has no %h: every real server runs the same command",
            "t.cf:9:22: warning: quiesce_server with persistent: clients that have a persistence template keep reaching a quiesced (weight 0) server until the template expires; consider sysctl net.ipv4.vs.expire_quiescent_template=1",
            "t.cf:13:19: warning: server 'a' is also the sorry_server of virtual 'web'",
            "t.cf:19:18: warning: server 'b' has weight 0: it never receives new connections",
            "t.cf:22:1: warning: virtual 'idle' has no active real server (a server needs 'active = 1')");
  }

  @Test
  void direct_routing_cannot_remap_ports_so_a_different_server_port_is_a_warning()
      throws Exception {
    List<String> w =
        warnings(
            "network = direct\n"
                + V
                + "    server a {\n        address = 10.0.0.2\n        active = 1\n        port = 8080\n    }\n}\n");
    assertThat(w)
        .containsExactly(
            "t.cf:8:16: warning: server 'a' port 8080 differs from the virtual port 80, but network direct cannot change ports: packets arrive on port 80");
  }

  @Test
  void a_udp_virtual_with_nothing_to_send_is_warned_about() throws Exception {
    assertThat(warnings(V + "    protocol = udp\n" + S + "}\n"))
        .containsExactly(
            "t.cf:4:16: warning: UDP virtual 'web' has neither 'send' nor 'send_program': the probe sends nothing, so no UDP server can ever answer it");
  }

  @Test
  void a_key_set_twice_warns_and_the_last_value_wins() throws Exception {
    ParsedConfig pc = parse("keepalive = 1\nkeepalive = 3\n");
    assertThat(pc.config().global().keepalive()).isEqualTo(Duration.ofSeconds(3));
    assertThat(pc.warnings())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "t.cf:2:1: warning: 'keepalive' is set again in the global section (first at line 1); the last value wins");
  }

  @Test
  void failover_blocks_are_kept_apart_from_virtuals() throws Exception {
    LvsConfig c =
        parse("failover ftp {\n    active = 1\n    dirs = [ /a /b ]\n    master = 192.0.2.9\n}\n")
            .config();
    assertThat(c.virtuals()).isEmpty();
    assertThat(c.failovers().get(0).dirs()).containsExactly("/a", "/b");
    assertThat(c.failovers().get(0).master()).contains(InetAddress.getByName("192.0.2.9"));
  }

  @Test
  void the_source_map_tells_where_blocks_and_keys_were() throws Exception {
    SourceMap m = parse(V + S + "}\n").sourceMap();
    assertThat(m.virtual("web")).contains(new SourceMap.Position(1, 1));
    assertThat(m.server("web", "a")).contains(new SourceMap.Position(4, 5));
    assertThat(m.find("virtual:web/address")).contains(new SourceMap.Position(3, 15));
    assertThat(m.error("virtual:web/server:a", "boom").toString())
        .isEqualTo("t.cf:4:5: error: boom");
  }

  @Test
  void models_with_equal_values_are_equal_wherever_they_were_written() throws Exception {
    LvsConfig a = parse(V + S + "}\n").config();
    LvsConfig b = parse("\n\n" + V.replace("    ", "\t") + S + "}\n").config();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
  }

  @Test
  void escapes_are_translated_like_nannys_convert_str() {
    assertThat(Escapes.translate("GET / HTTP/1.0\\r\\n\\r\\n")).isEqualTo("GET / HTTP/1.0\r\n\r\n");
    assertThat(Escapes.translate("a\\tb\\\\c\\'\\\"\\q\\")).isEqualTo("a\tb\\c'\"\\q\\");
  }

  @Test
  void key_names_have_edit_distance_suggestions() {
    assertThat(Keys.suggest(Keys.Section.VIRTUAL, "quiesce_sever")).contains("quiesce_server");
    assertThat(Keys.suggest(Keys.Section.VIRTUAL, "schduler")).contains("scheduler");
    assertThat(Keys.suggest(Keys.Section.GLOBAL, "keepalvie")).contains("keepalive");
    assertThat(Keys.suggest(Keys.Section.GLOBAL, "zzzzzz")).isEqualTo(Optional.empty());
  }

  @Test
  void a_missing_brace_is_reported_once_and_later_blocks_are_still_checked() {
    ConfigException e =
        reject(
            V
                + "    server a {\n        address = 10.0.0.2\n"
                + "virtual other {\n    scheduler = bogus\n}\n");
    assertThat(e.errors())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "t.cf:6:1: error: 'virtual' inside virtual 'web' (opened at line 1): a '}' is missing before it",
            "t.cf:7:17: error: unknown scheduler 'bogus': expected one of lc rr wlc wrr lblc lblcr dh sh sed nq mh");
  }

  static final String DUAL =
      "primary = fd00::1\n"
          + "backup = fd00::2\n"
          + "backup_active = 1\n"
          + "network = direct\n"
          + "virtual tftp4 {\n"
          + "    active = 1\n"
          + "    address = 203.0.113.10 eth0:1\n"
          + "    fwmark = 1\n"
          + "    port = 69\n"
          + "    protocol = udp\n"
          + "    send_program = \"/usr/lib/nagios/plugins/check_tftp --connect %h\"\n"
          + "    server rs1 {\n"
          + "        address = 10.0.0.2\n"
          + "        active = 1\n"
          + "    }\n"
          + "}\n"
          + "virtual tftp6 {\n"
          + "    active = 1\n"
          + "    address = 2001:DB8:0:0::10 eth0\n"
          + "    vip_nmask = 64\n"
          + "    fwmark = 1\n"
          + "    port = 69\n"
          + "    protocol = udp\n"
          + "    persistent = 45\n"
          + "    pmask = 56\n"
          + "    sorry_server = fd00::99\n"
          + "    send_program = \"/usr/lib/nagios/plugins/check_tftp --connect %h\"\n"
          + "    server rs1 {\n"
          + "        address = fd00:0::0002\n"
          + "        active = 1\n"
          + "    }\n"
          + "}\n";

  @Test
  void a_dual_stack_file_parses_with_one_warning_that_piranha_cannot_read_it() throws Exception {
    ParsedConfig pc = parse(DUAL);
    assertThat(pc.warnings())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "t.cf:1:11: warning: 'primary = fd00::1': IPv6 addresses are an lvs-pulse extension;"
                + " Piranha reads IPv4 only, so this file no longer works with Piranha");
    GlobalSettings g = pc.config().global();
    assertThat(g.primary()).contains(InetAddress.getByName("fd00::1"));
    VirtualService v6 = pc.config().virtual("tftp6").orElseThrow();
    assertThat(v6.vip()).contains(InetAddress.getByName("2001:db8::10"));
    assertThat(v6.vipNetmask()).contains(InetAddress.getByName("ffff:ffff:ffff:ffff::"));
    assertThat(v6.pmask()).contains(InetAddress.getByName("ffff:ffff:ffff:ff00::"));
    assertThat(v6.sorryServer()).contains(InetAddress.getByName("fd00::99"));
    assertThat(v6.servers().get(0).address()).isEqualTo(InetAddress.getByName("fd00::2"));
  }

  @Test
  void one_fwmark_may_serve_both_families_but_not_two_virtuals_of_one_family() throws Exception {
    assertThat(parse(DUAL).config().activeVirtuals()).hasSize(2);
    String twoV6 =
        DUAL.replace("virtual tftp4", "virtual x")
            .replace("203.0.113.10 eth0:1", "2001:db8::11 eth0")
            .replace("10.0.0.2", "fd00::3");
    assertThat(reject(twoV6).errors())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "t.cf:21:14: error: fwmark 1 (IPv6) is already used by virtual 'x' (line 5)");
  }

  @Test
  void the_writer_prints_ipv6_addresses_in_rfc_5952_form_and_netmasks_as_prefix_lengths()
      throws Exception {
    String text = LvsConfigWriter.write(parse(DUAL).config());
    assertThat(text)
        .contains(
            "primary = fd00::1\n",
            "address = 2001:db8::10 eth0\n",
            "vip_nmask = 64\n",
            "pmask = 56\n",
            "sorry_server = fd00::99\n",
            "address = fd00::2\n")
        .doesNotContain("0:0", "DB8");
    assertThat(parse(text).config()).isEqualTo(parse(DUAL).config());
  }

  @Test
  void a_prefix_length_of_128_for_pmask_means_no_mask_as_all_ones_does_for_ipv4() throws Exception {
    VirtualService v =
        parse(DUAL.replace("pmask = 56", "pmask = 128")).config().virtual("tftp6").orElseThrow();
    assertThat(v.pmask()).isEmpty();
  }

  @Test
  void an_ipv6_prefix_such_as_2001_db8_colon_colon_is_not_taken_for_the_unspecified_address()
      throws Exception {
    // A value whose low 64 bits are zero is not "::" (a 32-bit test took it for 0.0.0.0).
    VirtualService v =
        parse(DUAL.replace("sorry_server = fd00::99", "sorry_server = fd00:99::"))
            .config()
            .virtual("tftp6")
            .orElseThrow();
    assertThat(v.sorryServer()).contains(InetAddress.getByName("fd00:99::"));
    assertThat(
            parse(DUAL.replace("primary = fd00::1", "primary = fd00:1::"))
                .config()
                .global()
                .primary())
        .contains(InetAddress.getByName("fd00:1::"));
  }
}
