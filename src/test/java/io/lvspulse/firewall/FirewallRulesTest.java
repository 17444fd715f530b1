package io.lvspulse.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.GlobalSettings;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Protocol;
import io.lvspulse.config.VirtualAddress;
import io.lvspulse.config.VirtualService;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FirewallRulesTest {
  static VirtualService fwmark(
      String name, String vip, int mark, int port, Protocol p, boolean active) throws Exception {
    VirtualService.Builder b = VirtualService.builder(name);
    b.active = active;
    b.address = Optional.of(new VirtualAddress(InetAddress.getByName(vip), "bond0:3"));
    b.fwmark = mark;
    b.port = port;
    b.protocol = p;
    return b.build();
  }

  static LvsConfig config(VirtualService... v) {
    return new LvsConfig(GlobalSettings.defaults(), List.of(v), List.of());
  }

  @Test
  void in_ecmp_mode_the_rules_match_any_interface_since_the_vip_is_on_lo() throws Exception {
    io.lvspulse.config.GlobalSettings.Builder g = GlobalSettings.builder();
    g.directorMode = io.lvspulse.config.DirectorMode.ECMP;
    LvsConfig c =
        new LvsConfig(
            g.build(),
            List.of(fwmark("tftp", "203.0.113.10", 1, 69, Protocol.UDP, true)),
            List.of());
    assertThat(FirewallRules.rules(c, FirewallRules.Options.defaults()))
        .containsExactly(
            new FirewallRules.Rule(
                "tftp", "203.0.113.10", "", "udp", List.of("69", "1024:65535"), 1));
  }

  @Test
  void only_active_fwmark_virtuals_get_rules_and_a_high_port_is_covered_by_the_range()
      throws Exception {
    LvsConfig c =
        config(
            fwmark("tftp", "203.0.113.10", 1, 69, Protocol.UDP, true),
            fwmark("off", "203.0.113.11", 2, 69, Protocol.UDP, false),
            fwmark("plain", "203.0.113.12", 0, 80, Protocol.TCP, true),
            fwmark("alt", "203.0.113.13", 7, 8069, Protocol.TCP, true));
    List<FirewallRules.Rule> rules = FirewallRules.rules(c, FirewallRules.Options.defaults());
    assertThat(rules)
        .containsExactly(
            new FirewallRules.Rule(
                "tftp", "203.0.113.10", "bond0", "udp", List.of("69", "1024:65535"), 1),
            new FirewallRules.Rule(
                "alt", "203.0.113.13", "bond0", "tcp", List.of("1024:65535"), 7));
  }

  @Test
  void a_single_range_is_written_without_a_brace_set_in_nft() throws Exception {
    String nft =
        FirewallRules.nft(
            config(fwmark("alt", "203.0.113.13", 7, 8069, Protocol.TCP, true)),
            new FirewallRules.Options(false, "PREROUTING"),
            "x");
    assertThat(nft)
        .contains(
            "\t\tip daddr 203.0.113.13 tcp dport 1024-65535 meta mark set 7 comment \"lvs-pulse alt\"\n");
  }

  @Test
  void odd_block_names_cannot_break_out_of_the_comment() throws Exception {
    assertThat(FirewallRules.safe("a\" -j ACCEPT #")).isEqualTo("a__-j_ACCEPT__");
  }

  @Test
  void the_remove_script_declares_then_deletes_the_table_the_nft_script_fills() throws Exception {
    String nft = FirewallRules.nft(config(), FirewallRules.Options.defaults(), "x");

    assertThat(FirewallRules.nftRemove())
        .isEqualTo("table ip lvs_pulse\ndelete table ip lvs_pulse\n");
    assertThat(nft).contains("table ip " + FirewallRules.NFT_TABLE + " {\n");
  }

  static LvsConfig dualStack() throws Exception {
    VirtualService v4 = fwmark("tftp4", "203.0.113.10", 1, 69, Protocol.UDP, true);
    VirtualService.Builder b =
        fwmark("tftp6", "2001:DB8:0::10", 1, 69, Protocol.UDP, true).toBuilder();
    b.address = Optional.of(new VirtualAddress(InetAddress.getByName("2001:db8::10"), "eth0"));
    return config(v4, b.build());
  }

  @Test
  void an_ipv6_vip_is_marked_by_ip6tables_and_not_by_iptables() throws Exception {
    FirewallRules.Options o = FirewallRules.Options.defaults();
    assertThat(FirewallRules.iptables(dualStack(), o, "lvs.cf"))
        .contains(
            "# IPv6 VIPs are marked by ip6tables: lvs-pulse firewall-rules --format ip6tables\n",
            "-A PREROUTING -d 203.0.113.10/32 -i bond0 -p udp -m udp --dport 69")
        .doesNotContain("2001:db8");
    assertThat(FirewallRules.ip6tables(dualStack(), o, "lvs.cf"))
        .isEqualTo(
            "# lvs-pulse firewall-rules lvs.cf: mark the traffic of every active fwmark virtual"
                + " service with an IPv6 VIP\n"
                + "# Load once at boot with: ip6tables-restore --noflush < THIS_FILE\n"
                + "#   (--noflush keeps the other mangle rules; loading it twice adds the rules"
                + " twice:\n"
                + "#   use --chain NAME for a re-loadable chain, or --format nft)\n"
                + "*mangle\n"
                + "-A PREROUTING -d 2001:db8::10/128 -i eth0 -p udp -m udp --dport 69 -m comment"
                + " --comment \"lvs-pulse tftp6\" -j MARK --set-mark 1\n"
                + "-A PREROUTING -d 2001:db8::10/128 -i eth0 -p udp -m udp --dport 1024:65535 -m"
                + " comment --comment \"lvs-pulse tftp6\" -j MARK --set-mark 1\n"
                + "COMMIT\n");
  }

  @Test
  void the_nft_script_puts_ipv6_vips_into_an_ip6_table_in_the_same_transaction() throws Exception {
    String nft = FirewallRules.nft(dualStack(), FirewallRules.Options.defaults(), "lvs.cf");
    assertThat(nft)
        .contains(
            "\t\tiifname \"bond0\" ip daddr 203.0.113.10 udp dport { 69, 1024-65535 } meta mark"
                + " set 1 comment \"lvs-pulse tftp4\"\n",
            "table ip6 lvs_pulse\ndelete table ip6 lvs_pulse\ntable ip6 lvs_pulse {\n",
            "\t\tiifname \"eth0\" ip6 daddr 2001:db8::10 udp dport { 69, 1024-65535 } meta mark"
                + " set 1 comment \"lvs-pulse tftp6\"\n");
    assertThat(nft.indexOf("table ip6")).isGreaterThan(nft.indexOf("tftp4"));
    // An IPv4-only config does not mention ip6: a kernel without IPv6 has no ip6 family.
    assertThat(
            FirewallRules.nft(
                config(dualStack().virtuals().get(0)), FirewallRules.Options.defaults(), "x"))
        .doesNotContain("ip6");
  }
}
