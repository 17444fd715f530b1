package io.lvspulse.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BirdAnnouncerTest {
  /** BIRD 2.0.12 with the VIP enabled and the BGP session to the router up. */
  static final String ESTABLISHED =
      "2002-Name       Proto      Table      State  Since         Info\n"
          + "1002-device1    Device     ---        up     00:04:17.261  \n"
          + " vip_10_0_0_100 Static     master4    up     00:04:23.262  \n"
          + " upstream   BGP        ---        up     00:04:21.916  Established   \n"
          + "0000 \n";

  static final VipRoute VIP = VipRoute.of(addr("10.0.0.100"));
  static final VipRoute OTHER = VipRoute.of(addr("10.0.0.101"));

  @TempDir Path dir;

  static InetAddress addr(String a) {
    try {
      return InetAddress.getByName(a);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void the_protocol_name_is_vip_and_the_address_with_underscores() {
    assertThat(VIP.protocol()).isEqualTo("vip_10_0_0_100");
    assertThat(VIP.prefix()).isEqualTo("10.0.0.100/32");
    VipRoute v6 = VipRoute.of(addr("2001:db8::10"));
    assertThat(v6.protocol()).isEqualTo("vip_2001_db8_0_0_0_0_0_10");
    assertThat(v6.prefix()).isEqualTo("2001:db8:0:0:0:0:0:10/128");
  }

  @Test
  void state_reads_each_vip_and_the_bgp_sessions_from_one_show_protocols() throws Exception {
    try (FakeBird bird = new FakeBird(dir).answers(Map.of("show protocols", ESTABLISHED));
        BirdAnnouncer a = new BirdAnnouncer(new BirdControl(bird.socket, Duration.ofSeconds(2)))) {
      RoutingState s = a.state(List.of(VIP, OTHER));
      assertThat(s.route(VIP)).isEqualTo(RoutingState.RouteState.ANNOUNCED);
      assertThat(s.route(OTHER)).isEqualTo(RoutingState.RouteState.MISSING);
      assertThat(s.sessions())
          .containsExactly(new RoutingState.Session("upstream", true, "Established"));
      assertThat(s.anyEstablished()).isTrue();
      assertThat(bird.commands).containsExactly("show protocols");
    }
  }

  @Test
  void a_bgp_session_that_is_not_established_and_a_disabled_vip_are_read_as_such()
      throws Exception {
    try (FakeBird bird =
            new FakeBird(dir).answers(Map.of("show protocols", BirdControlTest.SHOW_PROTOCOLS));
        BirdAnnouncer a = new BirdAnnouncer(new BirdControl(bird.socket, Duration.ofSeconds(2)))) {
      RoutingState s = a.state(List.of(VIP));
      assertThat(s.route(VIP)).isEqualTo(RoutingState.RouteState.WITHDRAWN);
      assertThat(s.sessions()).containsExactly(new RoutingState.Session("upstream", false, "Idle"));
      assertThat(s.anyEstablished()).isFalse();
    }
  }

  @Test
  void a_bgp_session_whose_info_mentions_an_error_is_not_established() throws Exception {
    String active =
        "2002-Name       Proto      Table      State  Since         Info\n"
            + "1002-r1         BGP        ---        start  00:00:01.000  Active        Socket:"
            + " Connection refused\n"
            + " vip_10_0_0_100 Static     master4    start  00:00:01.000  \n"
            + "0000 \n";
    try (FakeBird bird = new FakeBird(dir).answers(Map.of("show protocols", active));
        BirdAnnouncer a = new BirdAnnouncer(new BirdControl(bird.socket, Duration.ofSeconds(2)))) {
      RoutingState s = a.state(List.of(VIP));
      assertThat(s.route(VIP)).isEqualTo(RoutingState.RouteState.CHANGING);
      assertThat(s.sessions())
          .containsExactly(
              new RoutingState.Session("r1", false, "Active        Socket: Connection refused"));
    }
  }

  @Test
  void announce_enables_and_withdraw_disables_the_vips_protocol_and_repeats_are_fine()
      throws Exception {
    try (FakeBird bird =
            new FakeBird(dir)
                .answers(
                    Map.of(
                        "enable vip_10_0_0_100", "0011-vip_10_0_0_100: enabled\n0000 \n",
                        "disable vip_10_0_0_100",
                            "0008-vip_10_0_0_100: already disabled\n0000 \n"));
        BirdAnnouncer a = new BirdAnnouncer(new BirdControl(bird.socket, Duration.ofSeconds(2)))) {
      a.announce(VIP);
      a.withdraw(VIP);
      assertThat(bird.commands).containsExactly("enable vip_10_0_0_100", "disable vip_10_0_0_100");
    }
  }

  @Test
  void a_vip_missing_from_bird_conf_is_reported_as_such() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdAnnouncer a = new BirdAnnouncer(new BirdControl(bird.socket, Duration.ofSeconds(2)))) {
      assertThatThrownBy(() -> a.announce(VIP))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining("BIRD has no protocol vip_10_0_0_100 for VIP 10.0.0.100");
    }
  }

  @Test
  void a_refused_command_is_an_error_with_birds_words() throws Exception {
    try (FakeBird bird =
            new FakeBird(dir).answers(Map.of("enable vip_10_0_0_100", "8007 Access denied\n"));
        BirdAnnouncer a = new BirdAnnouncer(new BirdControl(bird.socket, Duration.ofSeconds(2)))) {
      assertThatThrownBy(() -> a.announce(VIP))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining("BIRD refused `enable vip_10_0_0_100`: 8007 Access denied");
    }
  }
}
