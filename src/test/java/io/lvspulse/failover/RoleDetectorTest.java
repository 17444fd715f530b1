package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.config.GlobalSettings;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoleDetectorTest {
  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static GlobalSettings pair() {
    GlobalSettings.Builder b = GlobalSettings.builder();
    b.primary = Optional.of(ip("192.0.2.1"));
    b.primaryPrivate = Optional.of(ip("10.9.0.1"));
    b.backup = Optional.of(ip("192.0.2.2"));
    b.backupActive = true;
    return b.build();
  }

  @Test
  void the_host_holding_the_primary_address_is_the_primary() throws Exception {
    RoleDetector.Decision d =
        RoleDetector.detect(
            pair(),
            LocalAddresses.of(Map.of(ip("192.0.2.1"), "eth0", ip("127.0.0.1"), "lo")),
            Optional.empty());

    assertThat(d.role()).isEqualTo(Role.PRIMARY);
    assertThat(d.reason()).isEqualTo("primary 192.0.2.1 is on eth0");
    assertThat(d.ownInterfaces()).containsExactly("eth0");
  }

  @Test
  void the_primary_private_address_alone_is_enough() throws Exception {
    RoleDetector.Decision d =
        RoleDetector.detect(
            pair(), LocalAddresses.of(Map.of(ip("10.9.0.1"), "eth1:0")), Optional.empty());

    assertThat(d.role()).isEqualTo(Role.PRIMARY);
    assertThat(d.ownInterfaces()).containsExactly("eth1");
  }

  @Test
  void the_host_holding_the_backup_address_is_the_backup() throws Exception {
    assertThat(
            RoleDetector.detect(
                    pair(), LocalAddresses.of(Map.of(ip("192.0.2.2"), "eth0")), Optional.empty())
                .role())
        .isEqualTo(Role.BACKUP);
  }

  @Test
  void a_host_with_neither_address_is_told_to_use_role() {
    assertThatThrownBy(
            () ->
                RoleDetector.detect(
                    pair(), LocalAddresses.of(Map.of(ip("127.0.0.1"), "lo")), Optional.empty()))
        .isInstanceOf(FailoverConfigException.class)
        .hasMessage(
            "neither the primary (192.0.2.1, 10.9.0.1) nor the backup (192.0.2.2) address is on a local interface: pass --role primary|backup");
  }

  @Test
  void a_host_with_both_addresses_is_ambiguous() {
    assertThatThrownBy(
            () ->
                RoleDetector.detect(
                    pair(),
                    LocalAddresses.of(Map.of(ip("192.0.2.1"), "eth0", ip("192.0.2.2"), "eth1")),
                    Optional.empty()))
        .isInstanceOf(FailoverConfigException.class)
        .hasMessageContaining("--role");
  }

  @Test
  void role_overrides_the_addresses() throws Exception {
    RoleDetector.Decision d =
        RoleDetector.detect(pair(), LocalAddresses.of(Map.of()), Optional.of(Role.BACKUP));

    assertThat(d.role()).isEqualTo(Role.BACKUP);
    assertThat(d.reason()).isEqualTo("--role backup");
  }

  @Test
  void with_backup_active_0_the_backup_may_not_run() {
    GlobalSettings lone = pair().toBuilder().build();
    GlobalSettings.Builder b = lone.toBuilder();
    b.backupActive = false;

    assertThatThrownBy(
            () ->
                RoleDetector.detect(
                    b.build(),
                    LocalAddresses.of(Map.of(ip("192.0.2.2"), "eth0")),
                    Optional.empty()))
        .isInstanceOf(FailoverConfigException.class)
        .hasMessageContaining("backup_active = 0");
  }

  @Test
  void the_system_interfaces_include_loopback() throws Exception {
    assertThat(LocalAddresses.system().addresses()).containsKey(ip("127.0.0.1"));
  }
}
