package io.lvspulse.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Golden lines: Piranha's exact ipvsadm arguments (docs/reference/piranha-behaviour.md §2.6). */
class IpvsCommandTest {
  static InetSocketAddress sa(String s) {
    return IpAddresses.parseSocketAddress(s);
  }

  static final ServiceKey FWM1 = ServiceKey.fwmark(1);
  static final IpvsDestination RS =
      new IpvsDestination(sa("10.0.0.2:69"), ForwardingMethod.ROUTE, 1);

  @Test
  void a_persistent_fwmark_service_renders_as_piranha_does() {
    IpvsService s = IpvsService.of(FWM1, "wlc").withPersistence(Duration.ofSeconds(45));

    assertThat(new IpvsCommand.AddService(s).line()).isEqualTo("-A -f 1 -s wlc -p 45");
    assertThat(new IpvsCommand.EditService(s).line()).isEqualTo("-E -f 1 -s wlc -p 45");
    assertThat(new IpvsCommand.DeleteService(FWM1).line()).isEqualTo("-D -f 1");
  }

  @Test
  void real_server_commands_carry_rip_and_rport_even_for_fwmark() {
    assertThat(new IpvsCommand.AddDestination(FWM1, RS).line())
        .isEqualTo("-a -f 1 -r 10.0.0.2:69 -g -w 1");
    assertThat(new IpvsCommand.EditDestination(FWM1, RS.withWeight(0)).line())
        .isEqualTo("-e -f 1 -r 10.0.0.2:69 -g -w 0");
    assertThat(new IpvsCommand.DeleteDestination(FWM1, RS.address()).line())
        .isEqualTo("-d -f 1 -r 10.0.0.2:69");
  }

  @Test
  void a_tcp_service_with_nat_and_tunnel_servers_renders_with_vip_and_port() {
    ServiceKey k = ServiceKey.tcp(sa("203.0.113.20:80"));

    assertThat(new IpvsCommand.AddService(IpvsService.of(k, "wrr")).line())
        .isEqualTo("-A -t 203.0.113.20:80 -s wrr");
    assertThat(
            new IpvsCommand.AddDestination(
                    k, new IpvsDestination(sa("192.0.2.5:8080"), ForwardingMethod.MASQ, 7))
                .line())
        .isEqualTo("-a -t 203.0.113.20:80 -r 192.0.2.5:8080 -m -w 7");
    assertThat(
            new IpvsCommand.AddDestination(
                    k, new IpvsDestination(sa("192.0.2.6:80"), ForwardingMethod.TUNNEL, 2))
                .line())
        .isEqualTo("-a -t 203.0.113.20:80 -r 192.0.2.6:80 -i -w 2");
  }

  @Test
  void the_persistence_mask_is_rendered_only_with_persistence_and_only_when_not_all_ones() {
    ServiceKey k = ServiceKey.udp(sa("198.51.100.2:69"));

    assertThat(
            new IpvsCommand.AddService(IpvsService.of(k, "rr").withPersistenceMask("255.255.255.0"))
                .line())
        .isEqualTo("-A -u 198.51.100.2:69 -s rr");
    assertThat(
            new IpvsCommand.AddService(
                    IpvsService.of(k, "rr")
                        .withPersistence(Duration.ofSeconds(300))
                        .withPersistenceMask("255.255.255.0"))
                .line())
        .isEqualTo("-A -u 198.51.100.2:69 -s rr -p 300 -M 255.255.255.0");
    assertThat(
            new IpvsCommand.AddService(
                    IpvsService.of(k, "rr")
                        .withPersistence(Duration.ofSeconds(300))
                        .withPersistenceMask("255.255.255.255"))
                .line())
        .isEqualTo("-A -u 198.51.100.2:69 -s rr -p 300");
  }

  @Test
  void ipv6_services_and_servers_use_brackets_and_compressed_addresses() {
    ServiceKey k = ServiceKey.tcp(sa("[2001:db8:0:0:0:0:0:1]:443"));

    assertThat(
            new IpvsCommand.AddDestination(
                    k, new IpvsDestination(sa("[2001:db8::10]:443"), ForwardingMethod.MASQ, 3))
                .line())
        .isEqualTo("-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 3");
    assertThat(new IpvsCommand.AddService(IpvsService.of(ServiceKey.fwmark6(102), "sh")).line())
        .isEqualTo("-A -f 102 -6 -s sh");
  }

  @Test
  void hostnames_bad_marks_and_fractional_persistence_are_rejected() {
    assertThatThrownBy(() -> IpAddresses.parseSocketAddress("localhost:80"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpAddresses.parseSocketAddress("10.0.0.256:80"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServiceKey.fwmark(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServiceKey.tcp(InetSocketAddress.createUnresolved("example.org", 80)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpvsService.of(FWM1, "wlc").withPersistence(Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void timeouts_and_sync_daemon_arguments_match_ipvsadm() {
    assertThat(IpvsTimeouts.UNCHANGED.args()).containsExactly("--set", "0", "0", "0");
    assertThat(
            new IpvsTimeouts(
                    Duration.ofSeconds(900), Duration.ofSeconds(120), Duration.ofSeconds(300))
                .args())
        .containsExactly("--set", "900", "120", "300");
    assertThat(IpvsadmBackend.startDaemonArgs(SyncDaemonRole.MASTER, "eth0", 1))
        .containsExactly("--start-daemon", "master", "--mcast-interface", "eth0", "--syncid", "1");
    assertThatThrownBy(
            () -> IpvsadmBackend.startDaemonArgs(SyncDaemonRole.BACKUP, "eth0; rm -rf /", 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
