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
  void onlyActiveFwmarkVirtualsGetRulesAndAHighPortIsCoveredByTheRange() throws Exception {
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
  void aSingleRangeIsWrittenWithoutABraceSetInNft() throws Exception {
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
  void oddBlockNamesCannotBreakOutOfTheComment() throws Exception {
    assertThat(FirewallRules.safe("a\" -j ACCEPT #")).isEqualTo("a__-j_ACCEPT__");
  }

  @Test
  void the_remove_script_declares_then_deletes_the_table_the_nft_script_fills() throws Exception {
    String nft = FirewallRules.nft(config(), FirewallRules.Options.defaults(), "x");

    assertThat(FirewallRules.nftRemove())
        .isEqualTo("table ip lvs_pulse\ndelete table ip lvs_pulse\n");
    assertThat(nft).contains("table ip " + FirewallRules.NFT_TABLE + " {\n");
  }
}
