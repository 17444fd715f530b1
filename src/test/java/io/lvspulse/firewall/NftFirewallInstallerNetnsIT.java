package io.lvspulse.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.failover.TestConfigs;
import io.lvspulse.testing.NetNs;
import io.lvspulse.testing.Peers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code nft -f -} for real inside a network namespace. */
class NftFirewallInstallerNetnsIT {
  private NetNs ns;

  @BeforeEach
  void setUp() {
    Peers.requireExecutable("nft (nftables)", "LVS_PULSE_NFT", "/usr/sbin/nft", "/sbin/nft");
    ns = NetNs.createPair();
  }

  @AfterEach
  void tearDown() {
    ns.close();
  }

  @Test
  void the_install_script_goes_in_atomically_and_the_remove_script_takes_it_out() throws Exception {
    LvsConfig c =
        TestConfigs.pair(List.of(TestConfigs.virtual("tftp", ns.address(100), "lan0:1", 1)));
    NftFirewallInstaller fw =
        new NftFirewallInstaller(
            new ExecRunner(),
            NetNs.prefix(ns.a),
            "nft",
            Duration.ofSeconds(10),
            cfg ->
                "table inet lvsp_test {}\nflush table inet lvsp_test\ntable inet lvsp_test {\n"
                    + "  chain pre { type filter hook prerouting priority mangle; ip daddr "
                    + cfg.activeFwmarkVirtuals().get(0).vip().orElseThrow().getHostAddress()
                    + " udp dport { 69, 1024-65535 } meta mark set 1; }\n}\n",
            cfg -> "table inet lvsp_test {}\ndelete table inet lvsp_test\n");

    fw.install(c);
    fw.install(c); // idempotent
    String rules =
        ns.must("ip", "netns", "exec", ns.a, "nft", "list", "table", "inet", "lvsp_test");
    assertThat(rules).contains("ip daddr " + ns.address(100)).contains("meta mark set 0x00000001");
    assertThat(rules.split("meta mark set", -1)).hasSize(2);

    fw.remove(c);
    fw.remove(c); // idempotent
    assertThat(ns.must("ip", "netns", "exec", ns.a, "nft", "list", "ruleset"))
        .doesNotContain("lvsp_test");
  }

  @Test
  void a_bad_script_is_reported_and_changes_nothing() {
    LvsConfig c = TestConfigs.pair(List.of());
    NftFirewallInstaller fw =
        new NftFirewallInstaller(
            new ExecRunner(),
            NetNs.prefix(ns.a),
            "nft",
            Duration.ofSeconds(10),
            cfg ->
                "table inet lvsp_test { chain pre { type filter hook prerouting priority mangle; }}\nthis is not nft\n",
            cfg -> "");

    assertThatThrownBy(() -> fw.install(c))
        .isInstanceOf(FirewallInstaller.FirewallException.class)
        .hasMessageContaining("nft -f -");
    assertThat(ns.must("ip", "netns", "exec", ns.a, "nft", "list", "ruleset"))
        .doesNotContain("lvsp_test");
  }

  @Test
  void the_daemons_installer_fills_an_ip6_table_for_ipv6_vips_and_drops_it_when_they_go()
      throws Exception {
    LvsConfig dual =
        TestConfigs.pair(
            List.of(
                TestConfigs.virtual("tftp4", ns.address(100), "lan0:1", 1),
                TestConfigs.virtual("tftp6", "fd00:6::100", "lan0", 1)));
    LvsConfig v4only =
        TestConfigs.pair(List.of(TestConfigs.virtual("tftp4", ns.address(100), "lan0:1", 1)));
    NftFirewallInstaller fw =
        NftFirewallInstaller.forRules(
            new ExecRunner(), NetNs.prefix(ns.a), FirewallRules.Options.defaults(), "lvs.cf");

    fw.install(dual);
    fw.install(dual); // replaced, not doubled
    String ruleset = ns.must("ip", "netns", "exec", ns.a, "nft", "list", "ruleset");
    assertThat(ruleset)
        .contains("table ip lvs_pulse", "table ip6 lvs_pulse")
        .contains("ip6 daddr fd00:6::100 udp dport { 69, 1024-65535 } meta mark set 0x00000001");
    assertThat(ruleset.split("ip6 daddr", -1)).hasSize(2);

    fw.install(v4only); // a reload that removes the IPv6 VIP drops the ip6 table
    ruleset = ns.must("ip", "netns", "exec", ns.a, "nft", "list", "ruleset");
    assertThat(ruleset).contains("table ip lvs_pulse").doesNotContain("ip6");

    fw.install(dual);
    fw.remove(dual);
    assertThat(ns.must("ip", "netns", "exec", ns.a, "nft", "list", "ruleset"))
        .doesNotContain("lvs_pulse");
  }
}
