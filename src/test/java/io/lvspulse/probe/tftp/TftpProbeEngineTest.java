package io.lvspulse.probe.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine on loopback against scripted (and hostile) responders. */
class TftpProbeEngineTest {
  private static final Duration TIMEOUT = Duration.ofMillis(800);
  private static final long MARGIN_MS = 700;

  private TftpProbeEngine engine;
  private final List<ScriptedServer> servers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    engine = new TftpProbeEngine();
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    for (ScriptedServer s : servers) {
      s.close();
    }
  }

  private ScriptedServer server(String address, ScriptedServer.Script script) throws Exception {
    ScriptedServer s = new ScriptedServer(address, script);
    servers.add(s);
    return s;
  }

  private ProbeResult run(TftpCheck check) throws Exception {
    long t0 = System.nanoTime();
    ProbeResult r =
        engine.probe(check).get(check.timeout().toMillis() + MARGIN_MS, TimeUnit.MILLISECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(check.timeout().plusMillis(MARGIN_MS));
    return r;
  }

  private static TftpCheck connect(ScriptedServer s) {
    return TftpCheck.connect(s.address(), TIMEOUT).withRetransmitInterval(Duration.ofMillis(200));
  }

  /** Answers every request from a new TID with ERROR 1, like tftpd-hpa. */
  private static final ScriptedServer.Script FILE_NOT_FOUND =
      (srv, req, from) ->
          ScriptedServer.send(
              srv.newSocket("127.0.0.1"), from, new TftpPacket.Error(1, "File not found"));

  @Test
  void an_error_from_a_new_port_of_the_server_is_success() throws Exception {
    ScriptedServer s = server("127.0.0.1", FILE_NOT_FOUND);
    ProbeResult r = run(connect(s));
    assertThat(r.success()).isTrue();
    assertThat(r.message()).isEqualTo("OK - answer from server");
    assertThat(s.received().get(0)).isEqualTo(TftpCodecTestBytes.CONNECT_RRQ);
  }

  @Test
  void an_answer_from_the_listening_port_itself_is_also_seen() throws Exception {
    ScriptedServer s =
        server(
            "127.0.0.1",
            (srv, req, from) ->
                ScriptedServer.send(srv.socket, from, new TftpPacket.Error(1, "x")));
    assertThat(run(connect(s)).success()).isTrue();
  }

  @Test
  void an_answer_from_another_address_is_ignored() throws Exception {
    ScriptedServer s =
        server(
            "127.0.0.1",
            (srv, req, from) ->
                ScriptedServer.send(
                    srv.newSocket("127.0.0.2"), from, new TftpPacket.Error(1, "File not found")));
    ProbeResult r = run(connect(s));
    assertThat(r.success()).isFalse();
    assertThat(r.cause()).contains(FailureCause.TIMEOUT);
    assertThat(s.received().size()).as("the RRQ was retransmitted").isGreaterThan(1);
  }

  @Test
  void truncated_garbage_oversized_and_wrong_opcode_replies_never_succeed() throws Exception {
    byte[][] hostile = {
      {0, 5, 0}, // truncated ERROR
      {0, 5, 0, 1, 'x'}, // ERROR without NUL
      {0, 5, 0, 1, 'x', 0, 'y'}, // bytes after the message
      {0x47, 0x45, 0x54, 0x20}, // garbage
      new byte[65_507], // the largest UDP datagram (opcode 0)
      oversizedData(),
      {0, 4, 0, 1}, // ACK
      {0, 1, 'f', 0, 'o', 'c', 't', 'e', 't', 0}, // RRQ
      {0, 6, 'b', 'l', 'k', 's', 'i', 'z', 'e', 0, '8', 0}, // OACK nobody asked for
      {0, 3, 0, 2, 1, 2}, // DATA block 2 first
      {0, 9, 0, 1, 0}, // unknown opcode
    };
    for (byte[] reply : hostile) {
      ScriptedServer s =
          server(
              "127.0.0.1",
              (srv, req, from) -> {
                DatagramSocket tid = srv.newSocket("127.0.0.1");
                for (int i = 0; i < 3; i++) {
                  ScriptedServer.send(tid, from, reply);
                }
              });
      ProbeResult r = run(connect(s));
      assertThat(r.success()).as("reply of %d bytes", reply.length).isFalse();
      assertThat(r.cause()).contains(FailureCause.MALFORMED_REPLY);
    }
  }

  private static byte[] oversizedData() {
    byte[] b = new byte[4 + TftpPacket.MAX_BLOCK_SIZE + 1];
    b[1] = 3;
    b[3] = 1;
    return b;
  }

  @Test
  void after_locking_on_the_tid_data_from_another_port_gets_error_five_and_is_ignored()
      throws Exception {
    AtomicInteger errorsToStray = new AtomicInteger();
    ScriptedServer s = serverWithAStrayDataSender("127.0.0.1", errorsToStray);
    TftpCheck c =
        TftpCheck.get(s.address(), "hello.txt", 600, Optional.empty(), TIMEOUT).withBlockSize(0);
    ProbeResult r = run(c);
    assertThat(r.message()).startsWith("OK - Received 600 bytes");
    assertThat(errorsToStray).hasValue(1);
  }

  @Test
  void a_port_with_nothing_listening_fails_fast_with_port_unreachable() throws Exception {
    int port = freeUdpPort("127.0.0.1");
    TftpCheck c =
        TftpCheck.connect(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(5));
    ProbeResult r = engine.probe(c).get(6, TimeUnit.SECONDS);
    assertThat(r.cause()).contains(FailureCause.PORT_UNREACHABLE);
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void an_unresolved_host_is_unknown_host() throws Exception {
    TftpCheck c =
        TftpCheck.connect(InetSocketAddress.createUnresolved("no.such.host.invalid", 69), TIMEOUT);
    assertThat(engine.probe(c).get(1, TimeUnit.SECONDS).cause())
        .contains(FailureCause.UNKNOWN_HOST);
  }

  @Test
  void a_flood_of_stray_packets_does_not_delay_other_probes_past_their_timeout() throws Exception {
    // the hostile server floods the probe's port from its own address with junk (bounded)
    ScriptedServer hostile =
        server(
            "127.0.0.1",
            (srv, req, from) -> {
              if (req[1] != 1) {
                return;
              }
              DatagramSocket tid = srv.newSocket("127.0.0.1");
              byte[] junk = {0, 3, 0, 7, 1, 2, 3};
              long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
              for (int i = 0; i < 2_000_000 && System.nanoTime() < end; i++) {
                ScriptedServer.send(tid, from, junk);
              }
            });
    // a good server that answers after a delay, from a new port
    ScriptedServer good =
        server(
            "127.0.0.1",
            (srv, req, from) -> {
              if (req[1] == 1) {
                ScriptedServer.send(
                    srv.newSocket("127.0.0.1"), from, new TftpPacket.Error(1, "File not found"));
              }
            });
    List<CompletableFuture<ProbeResult>> flooded = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      flooded.add(engine.probe(connect(hostile)));
    }
    // the flood has started: the hostile server's script runs right after it got the first RRQ
    await().atMost(Duration.ofSeconds(5)).until(() -> !hostile.received().isEmpty());
    long t0 = System.nanoTime();
    List<CompletableFuture<ProbeResult>> others = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      others.add(engine.probe(connect(good)));
    }
    for (CompletableFuture<ProbeResult> f : others) {
      ProbeResult r = f.get(TIMEOUT.toMillis() + MARGIN_MS, TimeUnit.MILLISECONDS);
      assertThat(r.success()).as(r.message()).isTrue();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.plusMillis(MARGIN_MS));
    for (CompletableFuture<ProbeResult> f : flooded) {
      ProbeResult r = f.get(TIMEOUT.toMillis() + MARGIN_MS, TimeUnit.MILLISECONDS);
      assertThat(r.success()).isFalse();
    }
  }

  @Test
  void many_probes_at_once_all_get_their_answer() throws Exception {
    ScriptedServer s =
        server(
            "127.0.0.1",
            (srv, req, from) ->
                ScriptedServer.send(srv.socket, from, new TftpPacket.Error(1, "File not found")));
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      fs.add(engine.probe(TftpCheck.connect(s.address(), Duration.ofSeconds(5))));
    }
    for (CompletableFuture<ProbeResult> f : fs) {
      assertThat(f.get(7, TimeUnit.SECONDS).success()).isTrue();
    }
    assertThat(engine.inFlight()).isZero();
  }

  @Test
  void closing_the_engine_completes_probes_in_flight_and_refuses_new_ones() throws Exception {
    ScriptedServer silent = server("127.0.0.1", (srv, req, from) -> {});
    CompletableFuture<ProbeResult> f =
        engine.probe(TftpCheck.connect(silent.address(), Duration.ofSeconds(30)));
    // in flight: its RRQ reached the server
    await().atMost(Duration.ofSeconds(5)).until(() -> !silent.received().isEmpty());
    engine.close();
    ProbeResult r = f.get(1, TimeUnit.SECONDS);
    assertThat(r.cause()).contains(FailureCause.LOCAL_ERROR);
    assertThat(engine.probe(connect(silent)).get(1, TimeUnit.SECONDS).cause())
        .contains(FailureCause.LOCAL_ERROR);
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("lvs-pulse-tftp-engine") && t.isAlive());
  }

  // ---- the same over IPv6: RRQ to [::1]:PORT, TID locking, ICMPv6 port unreachable

  @Test
  void over_ipv6_an_error_from_a_new_port_of_the_server_is_success() throws Exception {
    ScriptedServer s =
        server(
            "::1",
            (srv, req, from) ->
                ScriptedServer.send(
                    srv.newSocket("::1"), from, new TftpPacket.Error(1, "File not found")));
    ProbeResult r = run(connect(s));
    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(s.received().get(0)).isEqualTo(TftpCodecTestBytes.CONNECT_RRQ);
    assertThat(TftpKind.describe(TftpCheck.connect(s.address(), TIMEOUT)))
        .isEqualTo("tftp connect [::1]:" + s.address().getPort());
  }

  @Test
  void over_ipv6_data_from_another_port_after_locking_on_the_tid_gets_error_five_and_is_ignored()
      throws Exception {
    AtomicInteger errorsToStray = new AtomicInteger();
    ScriptedServer s = serverWithAStrayDataSender("::1", errorsToStray);
    TftpCheck c =
        TftpCheck.get(s.address(), "hello.txt", 600, Optional.empty(), TIMEOUT).withBlockSize(0);
    assertThat(run(c).message()).startsWith("OK - Received 600 bytes");
    assertThat(errorsToStray).hasValue(1);
  }

  @Test
  void over_ipv6_a_port_with_nothing_listening_fails_fast_on_icmpv6_port_unreachable()
      throws Exception {
    int port = freeUdpPort("::1");
    TftpCheck c = TftpCheck.connect(new InetSocketAddress("::1", port), Duration.ofSeconds(5));
    ProbeResult r = engine.probe(c).get(6, TimeUnit.SECONDS);
    assertThat(r.cause()).contains(FailureCause.PORT_UNREACHABLE);
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(1));
  }

  /**
   * A server that sends DATA 1 from its TID and DATA 2 from a second port (an impostor sending the
   * final block first), counts the ERROR 5 the impostor gets in {@code errorsToStray}, then
   * finishes the transfer from its TID.
   */
  private ScriptedServer serverWithAStrayDataSender(String host, AtomicInteger errorsToStray)
      throws Exception {
    return server(
        host,
        (srv, req, from) -> {
          if (req[1] != 1) {
            return; // only RRQs start a transfer here
          }
          DatagramSocket tid = srv.newSocket(host);
          DatagramSocket stray = srv.newSocket(host);
          stray.setSoTimeout(300);
          ScriptedServer.send(tid, from, new TftpPacket.Data(1, new byte[512]));
          // the impostor sends the final block first
          ScriptedServer.send(stray, from, new TftpPacket.Data(2, new byte[10]));
          var p = new java.net.DatagramPacket(new byte[100], 100);
          stray.receive(p);
          if (TftpCodec.decode(java.util.Arrays.copyOf(p.getData(), p.getLength()))
              .equals(new TftpCodec.Decoded(new TftpPacket.Error(5, "Unknown transfer ID")))) {
            errorsToStray.incrementAndGet();
          }
          tid.setSoTimeout(300);
          tid.receive(p); // ACK 1
          ScriptedServer.send(tid, from, new TftpPacket.Data(2, new byte[88]));
        });
  }

  private static int freeUdpPort(String host) throws Exception {
    try (DatagramSocket free = new DatagramSocket(new InetSocketAddress(host, 0))) {
      return free.getLocalPort();
    }
  }
}
