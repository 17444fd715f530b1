package io.lvspulse.probe.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckTftpCommandLineTest {
  private static final InetAddress RIP = InetAddress.getLoopbackAddress();
  private static final Duration SIX = Duration.ofSeconds(6);

  private static Optional<TftpCheck> parse(String s) {
    return CheckTftpCommandLine.parse(s, RIP, 0, SIX);
  }

  @Test
  void the_example_clusters_send_program_becomes_a_native_connect_check_on_port_69() {
    assertThat(parse("/usr/local/bin/check_tftp --connect %h"))
        .contains(TftpCheck.connect(new InetSocketAddress(RIP, 69), SIX));
  }

  @Test
  void the_get_form_becomes_a_native_get_check() {
    TftpCheck c = parse("check_tftp --get %h pxelinux.0 26828").orElseThrow();
    assertThat(c.mode()).isEqualTo(new TftpCheck.Get("pxelinux.0", 26828, Optional.empty()));
    assertThat(c.server()).isEqualTo(new InetSocketAddress(RIP, 69));
  }

  @Test
  void spaces_are_split_like_nanny_does() {
    assertThat(parse("  /opt/check_tftp   --connect  %h ")).isPresent();
  }

  @Test
  void port_and_timeout_forms_are_recognised() {
    TftpCheck c =
        CheckTftpCommandLine.parse("check_tftp -p %p -t 2 --connect %h", RIP, 6969, SIX)
            .orElseThrow();
    assertThat(c.server().getPort()).isEqualTo(6969);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(parse("check_tftp --connect %h --port 1069").orElseThrow().server().getPort())
        .isEqualTo(1069);
    assertThat(parse("check_tftp --connect %h -t 60").orElseThrow().timeout())
        .as("nanny's timeout wins")
        .isEqualTo(SIX);
  }

  @Test
  void a_literal_address_is_used_as_given() {
    assertThat(
            parse("check_tftp --connect 127.0.0.7")
                .orElseThrow()
                .server()
                .getAddress()
                .getHostAddress())
        .isEqualTo("127.0.0.7");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/usr/local/bin/check_http --connect %h",
        "/usr/local/bin/check_tftp.sh --connect %h",
        "check_tftp",
        "check_tftp --connect",
        "check_tftp --connect %h extra",
        "check_tftp --get %h file",
        "check_tftp --get %h file -1",
        "check_tftp --get %h file 12abc",
        "check_tftp --connect tftp.example.com",
        "check_tftp --connect %h --get %h f 1",
        "check_tftp -p 70000 --connect %h",
        "check_tftp -p --connect %h",
        "check_tftp -v --connect %h",
      })
  void anything_else_is_left_to_the_program(String program) {
    assertThat(parse(program)).isEmpty();
  }
}
