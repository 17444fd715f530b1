package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.Examples;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VipTest {
  private final VipManager manager =
      new VipManager(
          new ExecRunner(),
          VipManager.Options.defaults(),
          new FailoverMetrics(new SimpleMeterRegistry(), Role.PRIMARY));

  @Test
  void the_nat_example_brings_up_its_vip_with_vip_nmask_and_the_nat_router_with_nat_nmask()
      throws Exception {
    Path file = Examples.file("valid/nat-web.lvs.cf");
    LvsConfig c = new LvsConfigParser().parse(file).config();

    List<Vip> vips = Vip.of(c);

    assertThat(vips)
        .extracting(Vip::cidr, Vip::device, Vip::source)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("203.0.113.20/24", "eth0:2", "virtual www"),
            org.assertj.core.groups.Tuple.tuple("10.2.0.254/24", "eth1:1", "nat_router"));
    assertThat(manager.addCommand(vips.get(0)))
        .containsExactly("ip", "addr", "add", "203.0.113.20/24", "dev", "eth0", "label", "eth0:2");
    assertThat(manager.delCommand(vips.get(1)))
        .containsExactly("ip", "addr", "del", "10.2.0.254/24", "dev", "eth1");
    assertThat(manager.arpCommand(vips.get(1)))
        .containsExactly("arping", "-U", "-c", "1", "-I", "eth1", "10.2.0.254");
  }

  @Test
  void the_nat_router_is_not_brought_up_in_direct_routing() {
    LvsConfig c =
        TestConfigs.pair(
            "192.0.2.1",
            "192.0.2.2",
            539,
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            List.of(TestConfigs.virtual("a", "192.0.2.100", "eth0:1", 1)),
            g -> {
              g.natRouter =
                  Optional.of(
                      new io.lvspulse.config.NatRouter(TestConfigs.ip("10.0.0.254"), "eth1:1"));
            });

    assertThat(Vip.of(c)).extracting(Vip::cidr).containsExactly("192.0.2.100/32");
  }

  @Test
  void inactive_virtuals_bring_up_nothing_and_a_shared_vip_comes_up_once() {
    io.lvspulse.config.VirtualService off =
        TestConfigs.virtual("off", "192.0.2.109", "eth0:9", 0).toBuilder().build();
    io.lvspulse.config.VirtualService.Builder b = off.toBuilder();
    b.active = false;
    LvsConfig c =
        TestConfigs.pair(
            List.of(
                b.build(),
                TestConfigs.virtual("x", "192.0.2.100", "eth0:1", 1),
                TestConfigs.virtual("y", "192.0.2.100", "eth0:1", 2)));

    assertThat(Vip.of(c))
        .extracting(Vip::cidr, Vip::source)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.100/32", "virtual x"));
  }

  @Test
  void a_device_without_an_alias_gets_no_label_and_odd_netmasks_fall_back_to_a_host_prefix() {
    Vip v = new Vip(TestConfigs.ip("192.0.2.5"), 32, "eth3", "virtual z");

    assertThat(manager.addCommand(v))
        .containsExactly("ip", "addr", "add", "192.0.2.5/32", "dev", "eth3");
    assertThat(Vip.prefix(TestConfigs.ip("192.0.2.5"), Optional.of(TestConfigs.ip("255.0.255.0"))))
        .isEqualTo(32);
    assertThat(Vip.prefix(TestConfigs.ip("192.0.2.5"), Optional.of(TestConfigs.ip("0.0.0.0"))))
        .isEqualTo(32);
    assertThat(
            Vip.prefix(TestConfigs.ip("192.0.2.5"), Optional.of(TestConfigs.ip("255.255.255.128"))))
        .isEqualTo(25);
  }

  @Test
  void the_command_prefix_goes_before_every_command() {
    VipManager inNs =
        new VipManager(
            new ExecRunner(),
            VipManager.Options.defaults().withCommandPrefix(List.of("ip", "netns", "exec", "d1")),
            new FailoverMetrics(new SimpleMeterRegistry(), Role.PRIMARY));
    Vip v = new Vip(TestConfigs.ip("192.0.2.5"), 32, "eth0:1", "virtual z");

    assertThat(inNs.addCommand(v)).startsWith("ip", "netns", "exec", "d1", "ip", "addr", "add");
    assertThat(inNs.arpCommand(v)).startsWith("ip", "netns", "exec", "d1", "arping");
  }

  @Test
  void an_ipv6_vip_comes_up_as_a_host_address_without_dad_and_in_rfc_5952_form() {
    LvsConfig c =
        TestConfigs.pair(
            "fd00::1",
            "fd00::2",
            539,
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            List.of(TestConfigs.virtual("tftp6", "2001:DB8:0:0::10", "bond0.100:1", 1)),
            g -> {});
    Vip v = Vip.of(c).get(0);

    assertThat(v.cidr()).isEqualTo("2001:db8::10/128");
    assertThat(manager.addCommand(v))
        .containsExactly("ip", "-6", "addr", "add", "2001:db8::10/128", "dev", "bond0.100");
    assertThat(manager.delCommand(v))
        .containsExactly("ip", "-6", "addr", "del", "2001:db8::10/128", "dev", "bond0.100");
    assertThat(manager.ndiscCommand(v))
        .containsExactly(
            "sysctl",
            "-qw",
            "net/ipv6/conf/all/accept_dad=0",
            "net/ipv6/conf/bond0.100/accept_dad=0",
            "net/ipv6/conf/bond0.100/ndisc_notify=1");
    assertThat(
            Vip.prefix(
                TestConfigs.ip("2001:db8::10"),
                Optional.of(TestConfigs.ip("ffff:ffff:ffff:ffff::"))))
        .isEqualTo(64);
    assertThat(Vip.prefix(TestConfigs.ip("2001:db8::10"), Optional.of(TestConfigs.ip("255.0.0.0"))))
        .isEqualTo(128);
  }
}
