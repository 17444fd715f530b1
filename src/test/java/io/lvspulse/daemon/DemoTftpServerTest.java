package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.tftp.TftpCheck;
import io.lvspulse.probe.tftp.TftpProbeEngine;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DemoTftpServerTest {
  private static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.9", 16969);

  private static ProbeResult probe(TftpProbeEngine engine) throws Exception {
    return engine.probe(TftpCheck.connect(ADDR, Duration.ofSeconds(2))).get(5, TimeUnit.SECONDS);
  }

  @Test
  void the_demo_server_answers_like_tftpd_hpa_and_goes_down_and_up_on_request() throws Exception {
    try (TftpProbeEngine engine = new TftpProbeEngine();
        DemoTftpServer server = new DemoTftpServer(ADDR)) {
      server.start();
      ProbeResult up = probe(engine);
      assertThat(up.success()).as(up.message()).isTrue();
      assertThat(up.message()).isEqualTo("OK - answer from server");

      server.stop();
      assertThat(server.up()).isFalse();
      ProbeResult down = probe(engine);
      assertThat(down.success()).isFalse();
      assertThat(down.cause()).contains(FailureCause.PORT_UNREACHABLE);

      server.start();
      assertThat(probe(engine).success()).isTrue();
    }
  }

  @Test
  void the_demo_only_ever_listens_on_loopback() {
    assertThatThrownBy(() -> new DemoTftpServer(new InetSocketAddress("10.0.0.2", 69)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
  }
}
