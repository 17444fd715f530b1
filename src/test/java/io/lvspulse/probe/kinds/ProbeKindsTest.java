package io.lvspulse.probe.kinds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.config.Protocol;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.Probe;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.socket.SocketKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProbeKindsTest {
  private static ProbeKinds kinds;

  @BeforeAll
  static void open() throws IOException {
    kinds = ProbeKinds.open();
  }

  @AfterAll
  static void close() {
    kinds.close();
  }

  private static ConfiguredProbe probeFor(VirtualService v, RealServer rs) {
    return kinds.create(v.probe(), rs);
  }

  private static VirtualService.Builder virtual(String name) {
    VirtualService.Builder b = VirtualService.builder(name);
    b.timeout = Duration.ofSeconds(2);
    return b;
  }

  private static RealServer real(String address, int port) throws IOException {
    return new RealServer("r1", InetAddress.getByName(address), true, 1, port);
  }

  private static ProbeResult run(Probe p) throws Exception {
    return p.start().get(10, TimeUnit.SECONDS);
  }

  @Test
  void a_check_tftp_send_program_at_any_path_gets_the_native_tftp_probe() throws Exception {
    for (String path :
        new String[] {
          "/usr/local/bin/check_tftp", "/opt/nagios/libexec/check_tftp", "check_tftp"
        }) {
      VirtualService.Builder b = virtual("tftp");
      b.sendProgram = Optional.of(path + " --connect %h");
      b.expect = Optional.of("OK - answer from server");
      ConfiguredProbe p = probeFor(b.build(), real("10.0.0.2", 69));
      assertThat(p.kind()).as(path).isEqualTo("tftp");
      assertThat(p.description()).isEqualTo("tftp connect 10.0.0.2:69");
    }
    VirtualService.Builder get = virtual("tftp");
    get.sendProgram = Optional.of("/usr/local/bin/check_tftp --get %h pxelinux.0 26828");
    assertThat(probeFor(get.build(), real("10.0.0.3", 69)).description())
        .isEqualTo("tftp get 10.0.0.3:69 pxelinux.0 (26828 bytes)");
  }

  @Test
  void any_other_send_program_is_run_as_a_program() throws Exception {
    VirtualService.Builder b = virtual("dns");
    b.sendProgram = Optional.of("/usr/lib/nagios/plugins/check_dns -H example.org -s %h");
    ConfiguredProbe p = probeFor(b.build(), real("10.3.0.1", 53));
    assertThat(p.kind()).isEqualTo("program");
    assertThat(p.description())
        .isEqualTo("exec /usr/lib/nagios/plugins/check_dns -H example.org -s 10.3.0.1");
    // a check_tftp the native probe does not understand (a host name) is left to the program
    VirtualService.Builder named = virtual("tftp");
    named.sendProgram = Optional.of("/usr/local/bin/check_tftp --connect tftp.example.org");
    assertThat(probeFor(named.build(), real("10.0.0.2", 69)).kind()).isEqualTo("program");
  }

  @Test
  void without_send_program_the_socket_probe_is_used_with_nannys_defaults() throws Exception {
    ConfiguredProbe web = probeFor(virtual("web").build(), real("10.2.0.11", 80));
    assertThat(web.kind()).isEqualTo("tcp");
    assertThat(web.description()).isEqualTo("tcp 10.2.0.11:80 send/expect (nanny HTTP default)");

    VirtualService.Builder udp = virtual("dns");
    udp.port = 53;
    udp.protocol = Protocol.UDP;
    udp.send = Optional.of("x");
    ConfiguredProbe u = probeFor(udp.build(), real("10.3.0.1", 53));
    assertThat(u.kind()).isEqualTo("udp");
    assertThat(u.description()).isEqualTo("udp 10.3.0.1:53 send/any reply");
  }

  @Test
  void bad_probe_settings_are_refused_with_the_server_named() throws Exception {
    VirtualService.Builder regex = virtual("web");
    regex.expect = Optional.of("(HTTP");
    regex.useRegex = true;
    assertThatThrownBy(() -> probeFor(regex.build(), real("10.2.0.11", 80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("server r1: ")
        .hasMessageContaining("regular expression");
    VirtualService.Builder blank = virtual("x");
    blank.sendProgram = Optional.of("   ");
    assertThatThrownBy(() -> probeFor(blank.build(), real("10.2.0.11", 80)))
        .hasMessageContaining("send_program is empty");
  }

  @Test
  void the_socket_probe_runs_against_a_real_peer() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      CompletableFuture<String> request = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  ByteArrayOutputStream b = new ByteArrayOutputStream();
                  while (!b.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
                    int c = s.getInputStream().read();
                    if (c < 0) {
                      break;
                    }
                    b.write(c);
                  }
                  request.complete(b.toString(StandardCharsets.UTF_8));
                  s.getOutputStream()
                      .write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  request.completeExceptionally(e);
                }
              });
      t.setDaemon(true);
      t.start();
      ConfiguredProbe p =
          probeFor(virtual("web").build(), real("127.0.0.1", server.getLocalPort()));
      ProbeResult r = run(p);
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(request.get(2, TimeUnit.SECONDS)).isEqualTo("GET / HTTP/1.0\r\n\r\n");
      t.join(2000);
    }
  }

  /**
   * A TFTP "server" on 127.0.0.1 that answers every RRQ with ERROR 1 from a fresh port (its TID).
   */
  private static final class TftpErrorResponder implements AutoCloseable {
    final DatagramSocket socket;
    final Thread thread;
    volatile boolean closed;

    TftpErrorResponder() throws IOException {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      socket.setSoTimeout(50);
      thread =
          new Thread(
              () -> {
                byte[] buf = new byte[1024];
                byte[] error = {
                  0, 5, 0, 1, 'F', 'i', 'l', 'e', ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd',
                  0
                };
                while (!closed) {
                  DatagramPacket p = new DatagramPacket(buf, buf.length);
                  try {
                    socket.receive(p);
                    try (DatagramSocket tid =
                        new DatagramSocket(
                            new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
                      tid.send(new DatagramPacket(error, error.length, p.getSocketAddress()));
                    }
                  } catch (SocketTimeoutException e) {
                    // poll closed
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "tftp-error-responder");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws InterruptedException {
      closed = true;
      thread.join(2000);
      socket.close();
    }
  }

  private static ConfiguredProbe tftpProbe(int port, Optional<String> expect) throws IOException {
    VirtualService.Builder b = virtual("tftp");
    b.sendProgram = Optional.of("/usr/local/bin/check_tftp --connect %h -p %p");
    b.expect = expect;
    return probeFor(b.build(), real("127.0.0.1", port));
  }

  @Test
  void the_native_tftp_message_is_matched_against_expect_unchanged() throws Exception {
    try (TftpErrorResponder server = new TftpErrorResponder()) {
      ProbeResult ok = run(tftpProbe(server.port(), Optional.of("OK - answer from server")));
      assertThat(ok.success()).as(ok.message()).isTrue();
      assertThat(ok.message()).isEqualTo("OK - answer from server");

      ProbeResult noExpect = run(tftpProbe(server.port(), Optional.empty()));
      assertThat(noExpect.success()).isTrue();

      ProbeResult other = run(tftpProbe(server.port(), Optional.of("OK - something else")));
      assertThat(other.cause()).contains(FailureCause.UNEXPECTED_REPLY);
      assertThat(other.message()).contains("OK - answer from server");
    }
  }

  @Test
  void a_failed_tftp_probe_keeps_its_cause_whatever_expect_says() throws Exception {
    int port;
    try (DatagramSocket s =
        new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
      port = s.getLocalPort();
    }
    ProbeResult r = run(tftpProbe(port, Optional.of("OK - answer from server")));
    assertThat(r.cause()).contains(FailureCause.PORT_UNREACHABLE);
  }

  @Test
  void closing_the_kinds_stops_their_engines() throws Exception {
    SocketKind sockets = SocketKind.open();
    ProbeKinds own = new ProbeKinds(List.of(sockets));
    ConfiguredProbe p = own.create(virtual("web").build().probe(), real("127.0.0.1", 9));
    own.close();
    assertThat(run(p).cause()).contains(FailureCause.LOCAL_ERROR);
    assertThat(sockets.engine().inFlight()).isZero();
  }

  @Test
  void a_spec_no_kind_handles_is_refused_with_the_server_named() throws Exception {
    try (ProbeKinds socketsOnly = new ProbeKinds(List.of(SocketKind.open()))) {
      VirtualService.Builder dns = virtual("dns");
      dns.sendProgram = Optional.of("/bin/true %h");
      assertThatThrownBy(() -> socketsOnly.create(dns.build().probe(), real("10.0.0.2", 53)))
          .hasMessage("server r1: no probe kind handles it");
    }
  }
}
