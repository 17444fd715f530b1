package io.lvspulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.announce.FakeBird;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnounceCommandTest {
  @TempDir Path dir;

  static final String SHOW =
      "2002-Name       Proto      Table      State  Since         Info\n"
          + "1002-vip_203_0_113_10 Static     master4    up     00:04:23.262  \n"
          + " vip_203_0_113_11 Static     master4    down   00:04:23.262  \n"
          + " upstream   BGP        ---        up     00:04:21.916  Established   \n"
          + "0000 \n";

  Path config(String mode) throws Exception {
    Path f = dir.resolve("lvs.cf");
    Files.writeString(
        f,
        """
        director_mode = %s
        udp_timeout = 10
        virtual tftp {
            active = 1
            address = 203.0.113.10 lo
            fwmark = 1
            send_program = "/bin/true %%h"
            server a {
                address = 198.51.100.21
                active = 1
            }
        }
        virtual dns {
            active = 1
            address = 203.0.113.11 lo
            port = 53
            server a {
                address = 198.51.100.21
                active = 1
            }
        }
        virtual dns2 {
            active = 1
            address = 203.0.113.11 lo
            port = 54
            server a {
                address = 198.51.100.21
                active = 1
            }
        }
        """
            .formatted(mode));
    return f;
  }

  FakeBird bird() throws Exception {
    return new FakeBird(dir)
        .answers(
            Map.of(
                "show protocols", SHOW,
                "disable vip_203_0_113_10", "0009-vip_203_0_113_10: disabled\n0000 \n",
                "disable vip_203_0_113_11", "0008-vip_203_0_113_11: already disabled\n0000 \n"));
  }

  @Test
  void print_bird_config_gives_one_disabled_static_per_distinct_vip() throws Exception {
    CliRun r = CliRun.of("announce", "-c", config("ecmp").toString(), "--print-bird-config");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .endsWith(
            """
            protocol static vip_203_0_113_10 {
              disabled;
              ipv4;
              route 203.0.113.10/32 blackhole;
            }
            protocol static vip_203_0_113_11 {
              disabled;
              ipv4;
              route 203.0.113.11/32 blackhole;
            }
            """);
  }

  /** {@code lvs-pulse announce -c CONFIG --withdraw-all --bird-socket SOCKET}. */
  private CliRun withdrawAll(String config, Path socket) throws Exception {
    return CliRun.of(
        "announce",
        "-c",
        config(config).toString(),
        "--withdraw-all",
        "--bird-socket",
        socket.toString());
  }

  @Test
  void withdraw_all_disables_every_vip() throws Exception {
    try (FakeBird b = bird()) {
      CliRun r = withdrawAll("ecmp", b.socket);
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(b.commands)
          .containsExactly("disable vip_203_0_113_10", "disable vip_203_0_113_11");
      assertThat(r.out()).contains("withdrawn: 203.0.113.10 (vip_203_0_113_10)");
    }
  }

  @Test
  void withdraw_all_with_bird_not_running_succeeds_since_nothing_is_announced() throws Exception {
    CliRun r = withdrawAll("ecmp", dir.resolve("absent.ctl"));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("BIRD is not running");
  }

  @Test
  void withdraw_all_fails_when_bird_refuses() throws Exception {
    try (FakeBird b = new FakeBird(dir)) {
      b.answer = c -> "8007 Access denied\n";
      CliRun r = withdrawAll("ecmp", b.socket);
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("BIRD refused `disable vip_203_0_113_10`: 8007 Access denied");
    }
  }

  @Test
  void in_pair_mode_nothing_is_asked_of_bird() throws Exception {
    try (FakeBird b = bird()) {
      CliRun r = withdrawAll("pair", b.socket);
      assertThat(r.exit()).isZero();
      assertThat(r.out()).contains("director_mode is pair");
      assertThat(b.commands).isEmpty();
    }
  }

  @Test
  void status_lists_each_vip_the_sessions_and_the_drain_flag() throws Exception {
    try (FakeBird b = bird()) {
      CliRun r =
          CliRun.of(
              "announce",
              "-c",
              config("ecmp").toString(),
              "--bird-socket",
              b.socket.toString(),
              "--drain-file",
              dir.resolve("drain").toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out().lines().map(String::strip).toList())
          .containsExactly(
              "203.0.113.10                             vip_203_0_113_10             announced",
              "203.0.113.11                             vip_203_0_113_11             withdrawn",
              "bgp upstream                             Established",
              "drained: no");
    }
  }

  @Test
  void drain_writes_the_flag_and_withdraws_and_undrain_removes_it() throws Exception {
    Path flag = dir.resolve("drain");
    try (FakeBird b = bird()) {
      CliRun r =
          CliRun.of(
              "announce",
              "-c",
              config("ecmp").toString(),
              "--drain",
              "--bird-socket",
              b.socket.toString(),
              "--drain-file",
              flag.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(flag).exists();
      assertThat(b.commands).contains("disable vip_203_0_113_10", "disable vip_203_0_113_11");
    }
    CliRun u =
        CliRun.of(
            "announce",
            "-c",
            config("ecmp").toString(),
            "--undrain",
            "--drain-file",
            flag.toString());
    assertThat(u.exit()).isZero();
    assertThat(flag).doesNotExist();
    assertThat(u.out()).contains("drain ended");
  }

  @Test
  void two_actions_at_once_are_a_usage_error() throws Exception {
    CliRun r = CliRun.of("announce", "-c", config("ecmp").toString(), "--drain", "--undrain");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("at most one of");
  }
}
