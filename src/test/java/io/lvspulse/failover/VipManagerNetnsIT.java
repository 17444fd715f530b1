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

  /** {@code fd00:N::host}, the ULA twin of {@link NetNs#address}. */
  private String v6(int host) {
    return "fd00:" + Integer.toHexString(ns.subnet) + "::" + Integer.toHexString(host);
  }

  @Test
  void an_ipv6_vip_comes_up_without_dad_and_its_neighbour_advertisement_moves_the_neighbours_entry()
      throws Exception {
    // announce() runs na6 (ipv6toolkit): the kernel advertises no nodad address of its own.
    for (String n : new String[] {ns.a, ns.b}) {
      String me = n.equals(ns.a) ? v6(1) : v6(2);
      ns.must("ip", "-n", n, "-6", "addr", "add", me + "/64", "dev", "lan0", "nodad");
    }
    String vip = v6(100);
    // b (a router or client) knows the VIP at the old director's MAC: the entry a takeover must
    // move. Linux updates an existing entry from an unsolicited NA with the override flag.
    ns.must(
        "ip",
        "-n",
        ns.b,
        "-6",
        "neigh",
        "replace",
        vip,
        "lladdr",
        "02:00:00:00:00:99",
        "dev",
        "lan0",
        "nud",
        "stale");
    // Every neighbour advertisement b sees (the link-local addresses' own ones too, once their DAD
    // ends), until the one for the VIP.
    java.nio.file.Path cap = java.nio.file.Files.createTempFile("lvsp-ipv6-na-", ".txt");
    Process tcpdump =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns.b,
                "tcpdump",
                "-l",
                "-n",
                "-v",
                "-i",
                "lan0",
                "icmp6 and ip6[40] == 136")
            .redirectErrorStream(true)
            .redirectOutput(cap.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> java.nio.file.Files.readString(cap).contains("listening on"));
      Vip v = new Vip(TestConfigs.ip(vip), 128, "lan0", "virtual tftp6");

      assertThat(vips.up(v)).isTrue();
      assertThat(ns.must("ip", "-n", ns.a, "-6", "-o", "addr", "show", "dev", "lan0").lines())
          .filteredOn(l -> l.contains("inet6 " + vip + "/128"))
          .singleElement()
          .asString()
          .doesNotContain("tentative");
      assertThat(vips.up(v)).as("already up counts as done").isTrue();
      assertThat(vips.announce(v).join()).isTrue();
      String macA = mac(ns.must("ip", "-n", ns.a, "link", "show", "lan0"));
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(java.nio.file.Files.readString(cap))
                      .contains("neighbor advertisement, length 32, tgt is " + vip)
                      .contains("Flags [override]"));
      // Learnt from the advertisement, without any solicitation of b's own.
      assertThat(ns.must("ip", "-n", ns.b, "-6", "neigh", "show", vip)).contains("lladdr " + macA);

      assertThat(vips.down(v)).isTrue();
      assertThat(ns.must("ip", "-n", ns.a, "-6", "addr", "show", "dev", "lan0"))
          .doesNotContain(vip);
      assertThat(vips.down(v)).as("already down counts as done").isTrue();
      assertThat(registry.find("lvs_pulse_failover_action_failures").counters()).isEmpty();
    } finally {
      tcpdump.destroy();
      tcpdump.waitFor();
      java.nio.file.Files.deleteIfExists(cap);
    }
  }

  /**
   * Direct routing over IPv6: a real server holds the VIP on {@code lo} and must not answer
   * neighbour solicitations for it on its LAN interface, or it would steal the VIP from the
   * director. Linux answers a solicitation only for addresses of the interface it arrives on
   * ({@code ndisc_recv_ns}: {@code ipv6_get_ifaddr(..., dev, strict)}), so no {@code arp_ignore}
   * twin is needed. The control: the same address on {@code lan0} is answered.
   */
  @Test
  void a_real_server_with_the_ipv6_vip_on_lo_does_not_answer_solicitations_for_it() {
    for (String n : new String[] {ns.a, ns.b}) {
      String me = n.equals(ns.a) ? v6(1) : v6(2);
      ns.must("ip", "-n", n, "-6", "addr", "add", me + "/64", "dev", "lan0", "nodad");
    }
    String vip = v6(200);
    ns.must("ip", "-n", ns.b, "-6", "addr", "add", vip + "/128", "dev", "lo", "nodad");
    ns.must("ip", "-n", ns.a, "-6", "route", "add", vip + "/128", "dev", "lan0");
    new ExecRunner()
        .run(
            io.lvspulse.exec.ExecRequest.of(
                Duration.ofSeconds(10),
                "ip",
                "netns",
                "exec",
                ns.a,
                "ping",
                "-6",
                "-c",
                "2",
                "-W",
                "1",
                vip));
    assertThat(ns.must("ip", "-n", ns.a, "-6", "neigh", "show", vip)).doesNotContain("lladdr");

    ns.must("ip", "-n", ns.b, "-6", "addr", "del", vip + "/128", "dev", "lo");
    ns.must("ip", "-n", ns.b, "-6", "addr", "add", vip + "/128", "dev", "lan0", "nodad");
    ns.must("ip", "netns", "exec", ns.a, "ping", "-6", "-c", "1", "-W", "2", vip);
    assertThat(ns.must("ip", "-n", ns.a, "-6", "neigh", "show", vip))
        .contains("lladdr " + mac(ns.must("ip", "-n", ns.b, "link", "show", "lan0")));
  }
}
