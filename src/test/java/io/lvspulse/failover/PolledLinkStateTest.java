package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PolledLinkStateTest {
  @Test
  void a_link_is_up_only_with_both_the_up_and_the_lower_up_flags() {
    assertThat(
            PolledLinkState.up(
                "2: eth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP"))
        .isTrue();
    assertThat(
            PolledLinkState.up(
                "2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc pfifo_fast state DOWN"))
        .isFalse();
    assertThat(PolledLinkState.up("2: eth0: <BROADCAST,MULTICAST> mtu 1500 state DOWN")).isFalse();
    assertThat(PolledLinkState.up("")).isFalse();
  }
}
