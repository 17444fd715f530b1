package io.lvspulse.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.config.Protocol;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.probe.ExpectMatcher;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SocketCheckTest {
  private static RealServer server(int port) throws Exception {
    return new RealServer("r1", InetAddress.getByName("10.2.0.11"), true, 1, port);
  }

  @Test
  void a_port_80_service_with_nothing_configured_gets_nannys_http_default() throws Exception {
    SocketCheck c =
        SocketCheck.forSpec(VirtualService.builder("web").build().probe(), server(8080));
    assertThat(c.send()).isEqualTo("GET / HTTP/1.0\r\n\r\n");
    assertThat(c.expect()).contains(ExpectMatcher.prefix("HTTP"));
    assertThat(c.target().getPort()).as("the real port is probed").isEqualTo(8080);
    assertThat(c.describe()).isEqualTo("tcp 10.2.0.11:8080 send/expect (nanny HTTP default)");
  }

  @Test
  void the_http_default_depends_on_the_virtual_port_and_on_nothing_being_set() throws Exception {
    VirtualService.Builder b = VirtualService.builder("ssh");
    b.port = 22;
    SocketCheck c = SocketCheck.forSpec(b.build().probe(), server(22));
    assertThat(c.send()).isEmpty();
    assertThat(c.expect()).isEmpty();
    assertThat(c.describe()).isEqualTo("tcp 10.2.0.11:22 connect");

    VirtualService.Builder onlySend = VirtualService.builder("web");
    onlySend.send = Optional.of("HEAD / HTTP/1.0\\r\\n\\r\\n");
    SocketCheck s = SocketCheck.forSpec(onlySend.build().probe(), server(80));
    assertThat(s.httpDefault()).isFalse();
    assertThat(s.expect()).isEmpty();
    assertThat(s.describe()).isEqualTo("tcp 10.2.0.11:80 send");
  }

  @Test
  void send_and_expect_get_nannys_escape_translation() throws Exception {
    VirtualService.Builder b = VirtualService.builder("smtp");
    b.port = 25;
    b.send = Optional.of("HELO lvs\\r\\n");
    b.expect = Optional.of("220\\t\\\"x\\'");
    SocketCheck c = SocketCheck.forSpec(b.build().probe(), server(25));
    assertThat(c.send()).isEqualTo("HELO lvs\r\n");
    assertThat(c.expect().orElseThrow().expect()).isEqualTo("220\t\"x'");
    assertThat(c.expect().orElseThrow().mode()).isEqualTo(ExpectMatcher.Mode.PREFIX);
  }

  @Test
  void use_regex_and_udp_and_probe_timeout_are_taken_from_the_virtual_service() throws Exception {
    VirtualService.Builder b = VirtualService.builder("dns");
    b.port = 53;
    b.protocol = Protocol.UDP;
    b.send = Optional.of("x");
    b.expect = Optional.of("^x");
    b.useRegex = true;
    b.timeout = Duration.ofSeconds(6);
    b.probeTimeoutOverride = Optional.of(Duration.ofSeconds(2));
    SocketCheck c = SocketCheck.forSpec(b.build().probe(), server(53));
    assertThat(c.protocol()).isEqualTo(Protocol.UDP);
    assertThat(c.expect().orElseThrow().mode()).isEqualTo(ExpectMatcher.Mode.REGEX);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.describe()).isEqualTo("udp 10.2.0.11:53 send/expect");
  }

  @Test
  void an_invalid_regex_is_refused() throws Exception {
    VirtualService.Builder b = VirtualService.builder("bad");
    b.expect = Optional.of("([");
    b.useRegex = true;
    assertThatThrownBy(() -> SocketCheck.forSpec(b.build().probe(), server(80)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
