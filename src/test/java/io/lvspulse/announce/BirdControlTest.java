package io.lvspulse.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BirdControlTest {
  /** `show protocols` exactly as BIRD 2.0.12 printed it on this machine. */
  static final String SHOW_PROTOCOLS =
      "2002-Name       Proto      Table      State  Since         Info\n"
          + "1002-device1    Device     ---        up     23:59:17.718  \n"
          + " vip_10_0_0_100 Static     master4    down   23:59:17.718  \n"
          + " upstream   BGP        ---        start  23:59:17.718  Idle          \n"
          + "0000 \n";

  @TempDir Path dir;

  @Test
  void a_multi_line_reply_keeps_each_lines_code_and_continuation_lines_take_the_previous_code()
      throws Exception {
    try (FakeBird bird = new FakeBird(dir).answers(Map.of("show protocols", SHOW_PROTOCOLS));
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      BirdReply r = c.command("show protocols");
      assertThat(r.code()).isZero();
      assertThat(r.ok()).isTrue();
      assertThat(r.texts(2002))
          .containsExactly("Name       Proto      Table      State  Since         Info");
      assertThat(r.texts(1002))
          .containsExactly(
              "device1    Device     ---        up     23:59:17.718  ",
              "vip_10_0_0_100 Static     master4    down   23:59:17.718  ",
              "upstream   BGP        ---        start  23:59:17.718  Idle          ");
      assertThat(c.greeting()).isEqualTo("BIRD 2.0.12 ready.");
    }
  }

  @Test
  void one_connection_serves_many_commands() throws Exception {
    try (FakeBird bird = new FakeBird(dir).answers(Map.of("enable x", "0011-x: enabled\n0000 \n"));
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      for (int i = 0; i < 5; i++) {
        assertThat(c.command("enable x").texts(11)).containsExactly("x: enabled");
      }
      assertThat(bird.accepted).hasValue(1);
      assertThat(bird.commands).hasSize(5);
    }
  }

  @Test
  void a_reply_that_arrives_a_byte_at_a_time_is_assembled() throws Exception {
    try (FakeBird bird = new FakeBird(dir).answers(Map.of("show protocols", SHOW_PROTOCOLS));
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(10))) {
      bird.chunk = 1;
      assertThat(c.command("show protocols").texts(1002)).hasSize(3);
    }
  }

  @Test
  void spontaneous_printouts_are_skipped() throws Exception {
    try (FakeBird bird =
            new FakeBird(dir)
                .answers(Map.of("show status", "+0023 log line\n0013 Daemon is up and running\n"));
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      BirdReply r = c.command("show status");
      assertThat(r.code()).isEqualTo(13);
      assertThat(r.lines()).hasSize(1);
    }
  }

  @Test
  void an_error_reply_is_a_reply_not_an_exception() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      BirdReply r = c.command("enable nosuch");
      assertThat(r.ok()).isFalse();
      assertThat(r.code()).isEqualTo(9001);
    }
  }

  @Test
  void a_missing_socket_is_an_error_naming_the_socket() {
    Path missing = dir.resolve("nothing-here.ctl");
    try (BirdControl c = new BirdControl(missing, Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> c.command("show protocols"))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("show protocols");
    }
  }

  @Test
  void a_bird_that_never_greets_times_out_instead_of_hanging() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdControl c = new BirdControl(bird.socket, Duration.ofMillis(300))) {
      bird.greeting = null;
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> c.command("show protocols"))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining("within 300 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void a_bird_that_stops_answering_times_out_and_the_next_command_reconnects() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdControl c = new BirdControl(bird.socket, Duration.ofMillis(300))) {
      bird.answer = cmd -> cmd.equals("hang") ? FakeBird.HANG : "0013 Daemon is up and running\n";
      assertThatThrownBy(() -> c.command("hang"))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining("no answer to `hang` within 300 ms");
      assertThat(c.command("show status").code()).isEqualTo(13);
      assertThat(bird.accepted).hasValue(2);
    }
  }

  @Test
  void a_reply_cut_in_the_middle_is_an_error_and_the_next_command_reconnects() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      bird.answer =
          cmd ->
              cmd.equals("show protocols")
                  ? FakeBird.CLOSE + "2002-Name Proto\n1002-device1 Device --- up\n"
                  : "0013 Daemon is up and running\n";
      assertThatThrownBy(() -> c.command("show protocols"))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining("in the middle of its reply");
      assertThat(c.command("show status").code()).isEqualTo(13);
    }
  }

  @Test
  void a_line_that_is_not_the_protocol_is_an_error() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      bird.answer = cmd -> "HTTP/1.1 400 Bad Request\n";
      assertThatThrownBy(() -> c.command("show status"))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining("not birdc's protocol")
          .hasMessageContaining("HTTP/1.1 400");
    }
  }

  @Test
  void a_greeting_other_than_0001_is_an_error() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      bird.greeting = "8007 Access denied\n";
      assertThatThrownBy(() -> c.command("show status"))
          .isInstanceOf(AnnounceException.class)
          .hasMessageContaining("greeted with 8007 Access denied");
    }
  }

  @Test
  void a_command_with_a_line_break_is_refused_before_anything_is_sent() throws Exception {
    try (FakeBird bird = new FakeBird(dir);
        BirdControl c = new BirdControl(bird.socket, Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> c.command("disable vip_a\nenable vip_b"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(bird.commands).isEmpty();
    }
  }
}
