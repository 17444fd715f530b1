package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.NetNs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ip addr add/del} and {@code arping} for real, inside two network namespaces joined by
 * veth.
 */
class VipManagerNetnsIT {
  private NetNs ns;
  private VipManager vips;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() {
    ns = NetNs.createPair();
    vips =
        new VipManager(
            new ExecRunner(),
            VipManager.Options.defaults().withCommandPrefix(NetNs.prefix(ns.a)),
            new FailoverMetrics(registry, Role.PRIMARY));
  }

  @AfterEach
  void tearDown() {
    ns.close();
  }

  private static String mac(String linkShow) {
    Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(linkShow);
    assertThat(m.find()).as("a MAC in %s", linkShow).isTrue();
    return m.group(1);
  }

  @Test
  void a_vip_comes_up_with_its_label_is_announced_to_the_neighbour_and_goes_down_again() {
    Vip vip = new Vip(TestConfigs.ip(ns.address(100)), 32, "lan0:1", "virtual tftp");
    // The neighbour learns from gratuitous ARP only with arp_accept (Linux ignores unsolicited ARP
    // otherwise).
    ns.must("ip", "netns", "exec", ns.b, "sysctl", "-qw", "net.ipv4.conf.lan0.arp_accept=1");

    assertThat(vips.up(vip)).isTrue();
    assertThat(ns.addresses(ns.a)).contains("inet " + ns.address(100) + "/32").contains("lan0:1");
    assertThat(ns.addresses(ns.b)).doesNotContain(ns.address(100));
    assertThat(vips.up(vip)).as("already up counts as done").isTrue();

    assertThat(vips.announce(vip).join()).isTrue();
    String macA = mac(ns.must("ip", "-n", ns.a, "link", "show", "lan0"));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(ns.must("ip", "-n", ns.b, "neigh", "show", ns.address(100)))
                    .contains("lladdr " + macA));

    assertThat(vips.down(vip)).isTrue();
    assertThat(ns.addresses(ns.a)).doesNotContain(ns.address(100));
    assertThat(vips.down(vip)).as("already down counts as done").isTrue();
    assertThat(registry.find("lvs_pulse_failover_action_failures").counters()).isEmpty();
  }

  @Test
  void a_vip_on_a_missing_device_fails_and_is_counted() {
    Vip vip = new Vip(TestConfigs.ip(ns.address(101)), 32, "nosuch0:1", "virtual x");

    assertThat(vips.up(vip)).isFalse();
    assertThat(
            registry
                .get("lvs_pulse_failover_action_failures")
                .tag("action", "vip_add")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void a_netmask_gives_the_prefix_and_is_kept_on_the_address() {
    Vip vip = new Vip(TestConfigs.ip(ns.address(102)), 24, "lan0:2", "nat_router");

    assertThat(vips.up(vip)).isTrue();
    assertThat(ns.addresses(ns.a)).contains("inet " + ns.address(102) + "/24").contains("lan0:2");
    assertThat(vips.down(vip)).isTrue();
  }
}
