package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ECMP extension keys and check-config's warnings about settings ECMP mode overrides. */
class EcmpConfigTest {
  static final String TFTP =
      """
      virtual tftp {
          active = 1
          address = 203.0.113.10 lo
          fwmark = 1
          port = 69
          protocol = udp
          send_program = "/bin/true %%h"
      %s
          server ftp1 {
              address = 198.51.100.21
              active = 1
          }
          server ftp2 {
              address = 198.51.100.22
              active = 1
          }
      }
      """;

  static ParsedConfig parse(String global, String virtualExtra) throws ConfigException {
    return new LvsConfigParser().parse("t.cf", global + TFTP.formatted(virtualExtra));
  }

  static List<String> warnings(String global, String virtualExtra) throws ConfigException {
    return parse(global, virtualExtra).warnings().stream().map(Diagnostic::toString).toList();
  }

  @Test
  void pair_mode_is_the_default_and_the_ecmp_keys_have_their_defaults() throws Exception {
    LvsConfig c = parse("", "").config();
    EcmpSettings e = c.global().ecmp();
    assertThat(e).isEqualTo(EcmpSettings.defaults());
    assertThat(e.ecmp()).isFalse();
    assertThat(e.announceQuorum()).isEqualTo(1);
    assertThat(e.announceRise()).isEqualTo(2);
    assertThat(e.announceFall()).isEqualTo(2);
    assertThat(e.announceInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(e.birdSocket()).isEqualTo(Path.of("/run/bird/bird.ctl"));
    assertThat(c.virtuals().get(0).mhPort()).isFalse();
  }

  @Test
  void every_ecmp_key_is_read() throws Exception {
    LvsConfig c =
        parse(
                """
                director_mode = ecmp
                announce_quorum = 2
                announce_rise = 3
                announce_fall = 4
                announce_interval = 500ms
                bird_socket = /run/bird/d1.ctl
                udp_timeout = 10
                """,
                "    mh_port = 1\n")
            .config();
    assertThat(c.global().ecmp())
        .isEqualTo(
            new EcmpSettings(
                DirectorMode.ECMP, 2, 3, 4, Duration.ofMillis(500), Path.of("/run/bird/d1.ctl")));
    assertThat(c.virtuals().get(0).mhPort()).isTrue();
  }

  @Test
  void a_clean_ecmp_config_has_no_warning() throws Exception {
    assertThat(warnings("director_mode = ecmp\nudp_timeout = 10\n", "    scheduler = mh\n"))
        .isEmpty();
  }

  @Test
  void ecmp_mode_warns_about_every_setting_it_overrides() throws Exception {
    assertThat(
            warnings(
                "director_mode = ecmp\nprimary = 192.0.2.11\nannounce_quorum = 3\n",
                """
                    scheduler = wlc
                    persistent = 45
                    quiesce_server = 0
                    slow_start = 1
                    sorry_server = 198.51.100.99
                """))
        .containsExactly(
            "t.cf:1:17: warning: director_mode = ecmp with UDP services: set 'udp_timeout' (e.g."
                + " 10 for TFTP): the kernel keeps an idle UDP connection entry 300 s, so a flow a"
                + " director has seen stays on a failed real server that long there, while new"
                + " flows move at once",
            "t.cf:2:11: warning: director_mode = ecmp: 'primary', 'backup' and the heartbeat keys"
                + " are not used: every director is active and announces its VIPs to the router"
                + " through BIRD",
            "t.cf:4:1: warning: virtual 'tftp': 2 active real server(s), fewer than announce_quorum"
                + " = 3: no director will ever announce its VIP",
            "t.cf:11:17: warning: virtual 'tftp': 'scheduler = wlc' is ignored in director_mode ="
                + " ecmp, which programs -s mh -b mh-fallback: any other scheduler decides on each"
                + " director alone, so two directors send one client to different real servers",
            "t.cf:12:18: warning: virtual 'tftp': 'persistent' is ignored in director_mode = ecmp"
                + " (no -p): a persistence template lives on one director only, while mh keeps a"
                + " client on the same real server on every director",
            "t.cf:13:22: warning: virtual 'tftp': 'quiesce_server = 0' is ignored in director_mode"
                + " = ecmp: a failed real server is always quiesced to weight 0, never deleted,"
                + " since deleting and adding it again would reshuffle mh's table",
            "t.cf:14:18: warning: virtual 'tftp': 'slow_start = 1' is ignored in director_mode ="
                + " ecmp: weights stay as configured, since each weight change rebuilds mh's table"
                + " and the directors would ramp at different times",
            "t.cf:15:20: warning: virtual 'tftp': 'sorry_server' is ignored in director_mode = ecmp:"
                + " a director with too few real servers up withdraws the VIP instead");
  }

  @Test
  void pair_mode_says_nothing_about_these_settings_but_flags_mh_port_without_mh() throws Exception {
    assertThat(warnings("", "    scheduler = wlc\n    persistent = 45\n    quiesce_server = 0\n"))
        .isEmpty();
    assertThat(warnings("", "    mh_port = 1\n"))
        .containsExactly(
            "t.cf:8:15: warning: 'mh_port' applies to the mh scheduler only (scheduler = mh, or"
                + " director_mode = ecmp)");
    assertThat(warnings("", "    scheduler = mh\n    mh_port = 1\n")).isEmpty();
  }

  @Test
  void the_writer_round_trips_the_ecmp_keys() throws Exception {
    LvsConfig c =
        parse(
                "director_mode = ecmp\nannounce_interval = 1500ms\nbird_socket = /x/b.ctl\n",
                "    mh_port = 1\n")
            .config();
    String text = LvsConfigWriter.write(c);
    assertThat(text)
        .contains(
            "director_mode = ecmp",
            "announce_interval = 1500ms",
            "bird_socket = /x/b.ctl",
            "mh_port = 1");
    assertThat(new LvsConfigParser().parse("w.cf", text).config()).isEqualTo(c);
  }

  @Test
  void ecmp_mode_says_that_a_vip_device_other_than_lo_is_not_used() throws Exception {
    String cfg = TFTP.formatted("").replace("203.0.113.10 lo", "203.0.113.10 eth0:1");
    assertThat(
            new LvsConfigParser()
                .parse("t.cf", "director_mode = ecmp\nudp_timeout = 10\n" + cfg).warnings().stream()
                    .map(Diagnostic::toString))
        .containsExactly(
            "t.cf:5:15: warning: virtual 'tftp': the VIP goes on lo in director_mode = ecmp (the"
                + " router brings its packets, no ARP); the device 'eth0:1' is not used");
  }
}
