package io.lvspulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirewallRulesCommandTest {
  @TempDir Path tmp;

  @Test
  void the_tftp_cluster_gets_the_two_mangle_rules_of_the_write_up() {
    CliRun r = CliRun.of("firewall-rules", "etc/lvs.cf");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().filter(l -> !l.startsWith("#")).toList())
        .containsExactly(
            "*mangle",
            "-A PREROUTING -d 203.0.113.10/32 -i eth0 -p udp -m udp --dport 69 -m comment --comment \"lvs-pulse tftp\" -j MARK --set-mark 1",
            "-A PREROUTING -d 203.0.113.10/32 -i eth0 -p udp -m udp --dport 1024:65535 -m comment --comment \"lvs-pulse tftp\" -j MARK --set-mark 1",
            "COMMIT");
    assertThat(r.out()).contains("iptables-restore --noflush");
  }

  @Test
  void the_nft_format_replaces_its_own_table() {
    CliRun r = CliRun.of("firewall-rules", "etc/lvs.cf", "--format", "nft");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().filter(l -> !l.startsWith("#")).toList())
        .containsExactly(
            "table ip lvs_pulse",
            "delete table ip lvs_pulse",
            "table ip lvs_pulse {",
            "\tchain prerouting {",
            "\t\ttype filter hook prerouting priority mangle; policy accept;",
            "\t\tiifname \"eth0\" ip daddr 203.0.113.10 udp dport { 69, 1024-65535 } meta mark set 1 comment \"lvs-pulse tftp\"",
            "\t}",
            "}");
  }

  @Test
  void a_chain_option_declares_a_reloadable_chain() {
    CliRun r = CliRun.of("firewall-rules", "etc/lvs.cf", "--chain", "LVS_PULSE", "--any-interface");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains(
            ":LVS_PULSE - [0:0]\n",
            "-A LVS_PULSE -d 203.0.113.10/32 -p udp -m udp --dport 69 ",
            "iptables -t mangle -A PREROUTING -j LVS_PULSE");
  }

  @Test
  void an_invalid_config_exits_one_with_its_errors() throws Exception {
    Path f = tmp.resolve("bad.cf");
    Files.writeString(f, "virtual x {\n");
    CliRun r = CliRun.of("firewall-rules", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith(f + ":1:1: error: virtual 'x' is not closed");
  }

  @Test
  void a_config_without_fwmark_services_prints_an_empty_rule_set_and_warns() throws Exception {
    Path f = tmp.resolve("web.cf");
    Files.writeString(
        f,
        "virtual w {\n active = 1\n address = 203.0.113.5 eth0:1\n"
            + " server a {\n  address = 10.0.0.9\n  active = 1\n }\n}\n");
    CliRun r = CliRun.of("firewall-rules", f.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("*mangle\n# no active fwmark virtual service: nothing to mark\nCOMMIT\n");
    assertThat(r.err()).contains("no active fwmark virtual service");
  }

  @Test
  void bad_format_or_chain_is_a_usage_error() {
    assertThat(CliRun.of("firewall-rules", "etc/lvs.cf", "--format", "pf").exit()).isEqualTo(2);
    assertThat(CliRun.of("firewall-rules", "etc/lvs.cf", "--chain", "a b").exit()).isEqualTo(2);
    assertThat(CliRun.of("firewall-rules").exit()).isEqualTo(2);
  }

  @Test
  void help_explains_both_formats() {
    CliRun r = CliRun.of("firewall-rules", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--format", "iptables-restore --noflush", "nft -f");
  }

  @Test
  void the_top_level_help_lists_both_commands() {
    CliRun r = CliRun.of("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("check-config", "firewall-rules");
  }
}
