package io.lvspulse.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.probe.ExpectMatcher;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.testing.Pause;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SocketProbeEngineTest {
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration LONG = Duration.ofSeconds(5);
  private static SocketProbeEngine engine;

  @BeforeAll
  static void startEngine() throws IOException {
    engine = new SocketProbeEngine();
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  private static ProbeResult run(SocketCheck check) throws Exception {
    return engine.probe(check).get(check.timeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
  }

  private static SocketCheck tcp(
      TcpPeer peer, String send, ExpectMatcher expect, Duration timeout) {
    return SocketCheck.tcp(peer.address(), send, Optional.of(expect), timeout);
  }

  // --- TCP ---------------------------------------------------------------------------------------

  @Test
  void a_tcp_reply_that_starts_with_expect_is_a_success_and_the_send_bytes_reach_the_server()
      throws Exception {
    try (TcpPeer peer = TcpPeer.recording("\n", "220 ready\r\n")) {
      ProbeResult r = run(tcp(peer, "HELO probe\n", ExpectMatcher.prefix("220"), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.message()).contains("220 ready");
      assertThat(peer.requests).hasSize(1);
      assertThat(new String(peer.requests.get(0), StandardCharsets.UTF_8))
          .isEqualTo("HELO probe\n");
    }
  }

  @Test
  void a_tcp_reply_with_a_different_prefix_is_an_unexpected_reply() throws Exception {
    try (TcpPeer peer = new TcpPeer(TcpPeer.replies("500 go away\r\n"))) {
      ProbeResult r = run(tcp(peer, "", ExpectMatcher.prefix("220"), LONG));
      assertThat(r.cause()).contains(FailureCause.UNEXPECTED_REPLY);
      assertThat(r.message()).contains("500 go away");
    }
  }

  @Test
  void a_reply_shorter_than_expect_followed_by_close_is_a_failure_as_in_nanny() throws Exception {
    try (TcpPeer peer = new TcpPeer(TcpPeer.replies("22"))) {
      ProbeResult r = run(tcp(peer, "", ExpectMatcher.prefix("220 "), LONG));
      assertThat(r.cause()).contains(FailureCause.UNEXPECTED_REPLY);
      assertThat(r.message()).contains("too short").contains("2 of 4");
      assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(2));
    }
  }

  /** nanny reads once and would fail here; we read until expect's length is there. */
  @Test
  void a_reply_split_over_two_segments_still_matches() throws Exception {
    try (TcpPeer peer =
        new TcpPeer(
            s -> {
              OutputStream out = s.getOutputStream();
              out.write('2');
              out.flush();
              Pause.pace(
                  Duration.ofMillis(150), "the rest of the reply arrives in a later segment");
              out.write("20 ok\r\n".getBytes(StandardCharsets.UTF_8));
              out.flush();
              Pause.pace(Duration.ofMillis(200), "the peer keeps the connection open a while");
              s.close();
            })) {
      ProbeResult r = run(tcp(peer, "", ExpectMatcher.prefix("220 ok"), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(140));
    }
  }

  @Test
  void a_regex_is_found_anywhere_in_the_reply() throws Exception {
    try (TcpPeer peer = new TcpPeer(TcpPeer.replies("junk before HTTP/1.1 200 OK\r\n"))) {
      ProbeResult r = run(tcp(peer, "", ExpectMatcher.regex("HTTP/1\\.[01] 2[0-9]{2}"), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
    }
    try (TcpPeer peer = new TcpPeer(TcpPeer.replies("HTTP/1.1 503 Busy\r\n"))) {
      ProbeResult r = run(tcp(peer, "", ExpectMatcher.regex("HTTP/1\\.[01] 2[0-9]{2}"), LONG));
      assertThat(r.cause()).contains(FailureCause.UNEXPECTED_REPLY);
    }
  }

  @Test
  void a_regex_that_never_matches_an_open_connection_times_out() throws Exception {
    try (TcpPeer peer =
        new TcpPeer(
            s -> {
              s.getOutputStream().write("hello\r\n".getBytes(StandardCharsets.UTF_8));
              s.getOutputStream().flush();
              TcpPeer.silent().serve(s);
            })) {
      ProbeResult r = run(tcp(peer, "", ExpectMatcher.regex("^220"), SHORT));
      assertThat(r.cause()).contains(FailureCause.TIMEOUT);
      assertThat(r.message()).contains("hello");
    }
  }

  @Test
  void star_accepts_any_reply_of_at_least_one_byte() throws Exception {
    try (TcpPeer peer = new TcpPeer(TcpPeer.replies("x"))) {
      ProbeResult r = run(tcp(peer, "ping\n", ExpectMatcher.forSocket("*", false), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
    }
    try (TcpPeer peer = new TcpPeer(TcpPeer.replies(""))) {
      ProbeResult r = run(tcp(peer, "ping\n", ExpectMatcher.forSocket("*", false), LONG));
      assertThat(r.cause()).contains(FailureCause.UNEXPECTED_REPLY);
      assertThat(r.message()).contains("without a reply");
    }
  }

  @Test
  void a_refused_connection_fails_at_once_as_connection_refused() throws Exception {
    InetSocketAddress closed = new InetSocketAddress("127.0.0.1", TcpPeer.closedPort());
    ProbeResult r = run(SocketCheck.tcp(closed, "", Optional.empty(), LONG));
    assertThat(r.cause()).contains(FailureCause.CONNECTION_REFUSED);
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void a_server_that_accepts_but_never_answers_times_out_at_the_probe_timeout() throws Exception {
    try (TcpPeer peer = new TcpPeer(TcpPeer.silent())) {
      long t0 = System.nanoTime();
      ProbeResult r = run(tcp(peer, "GET / HTTP/1.0\r\n\r\n", ExpectMatcher.prefix("HTTP"), SHORT));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(r.cause()).contains(FailureCause.TIMEOUT);
      assertThat(r.timedOut()).isTrue();
      assertThat(r.message()).contains("no reply");
      assertThat(ms).isBetween(290L, 1500L);
    }
  }

  @Test
  void without_send_and_expect_the_tcp_connect_alone_is_the_check() throws Exception {
    try (TcpPeer peer = new TcpPeer(TcpPeer.silent())) {
      ProbeResult r = run(SocketCheck.tcp(peer.address(), "", Optional.empty(), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.message()).startsWith("connected to 127.0.0.1:");
    }
  }

  @Test
  void nannys_http_default_sends_get_and_expects_http_on_a_port_80_service() throws Exception {
    try (TcpPeer peer =
        TcpPeer.recording("\r\n\r\n", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi")) {
      VirtualService vs = VirtualService.builder("web").build(); // port 80 by default, nothing set
      RealServer rs =
          new RealServer(
              "w1", InetAddress.getByName("127.0.0.1"), true, 1, peer.address().getPort());
      SocketCheck check = SocketCheck.forSpec(vs.probe(), rs);
      assertThat(check.httpDefault()).isTrue();
      ProbeResult r = run(check);
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(new String(peer.requests.get(0), StandardCharsets.UTF_8))
          .isEqualTo("GET / HTTP/1.0\r\n\r\n");
    }
  }

  // --- UDP ---------------------------------------------------------------------------------------

  /** A UDP echo peer (or a silent one) on 127.0.0.1. */
  private static final class UdpPeer implements AutoCloseable {
    final DatagramSocket socket;
    final Thread thread;
    volatile boolean closed;

    UdpPeer(boolean echo) throws IOException {
      this(echo, "127.0.0.1");
    }

    UdpPeer(boolean echo, String host) throws IOException {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
      socket.setSoTimeout(50);
      thread =
          new Thread(
              () -> {
                byte[] buf = new byte[2048];
                while (!closed) {
                  DatagramPacket p = new DatagramPacket(buf, buf.length);
                  try {
                    socket.receive(p);
                    if (echo) {
                      socket.send(
                          new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    }
                  } catch (SocketTimeoutException e) {
                    // poll closed
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "udp-peer");
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() throws InterruptedException {
      closed = true;
      thread.join(2000);
      socket.close();
    }
  }

  @Test
  void a_udp_echo_of_the_sent_bytes_matches_expect() throws Exception {
    try (UdpPeer peer = new UdpPeer(true)) {
      ProbeResult r =
          run(
              SocketCheck.udp(
                  peer.address(), "ping\n", Optional.of(ExpectMatcher.prefix("ping")), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
      ProbeResult other =
          run(
              SocketCheck.udp(
                  peer.address(), "ping\n", Optional.of(ExpectMatcher.prefix("pong")), LONG));
      assertThat(other.cause()).contains(FailureCause.UNEXPECTED_REPLY);
    }
  }

  @Test
  void udp_without_expect_needs_one_datagram_of_any_content() throws Exception {
    try (UdpPeer peer = new UdpPeer(true)) {
      ProbeResult r = run(SocketCheck.udp(peer.address(), "x", Optional.empty(), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.message()).startsWith("datagram of 1 bytes");
    }
  }

  @Test
  void a_closed_udp_port_is_port_unreachable_long_before_the_timeout() throws Exception {
    int port;
    try (DatagramSocket s =
        new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    ProbeResult r =
        run(
            SocketCheck.udp(
                new InetSocketAddress("127.0.0.1", port), "ping", Optional.empty(), LONG));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(r.cause()).contains(FailureCause.PORT_UNREACHABLE);
    assertThat(ms).isLessThan(1000L);
  }

  @Test
  void a_silent_udp_server_times_out() throws Exception {
    try (UdpPeer peer = new UdpPeer(false)) {
      ProbeResult r =
          run(
              SocketCheck.udp(
                  peer.address(), "ping", Optional.of(ExpectMatcher.prefix("pong")), SHORT));
      assertThat(r.cause()).contains(FailureCause.TIMEOUT);
      assertThat(r.elapsed()).isBetween(Duration.ofMillis(290), Duration.ofMillis(1500));
    }
  }

  // --- engine ------------------------------------------------------------------------------------

  @Test
  void every_socket_is_closed_whatever_the_outcome() throws Exception {
    Path fds = Path.of("/proc/self/fd");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd");
    try (TcpPeer ok = new TcpPeer(TcpPeer.replies("220 ok\r\n"));
        TcpPeer silent = new TcpPeer(TcpPeer.silent());
        UdpPeer udpSilent = new UdpPeer(false)) {
      run(tcp(ok, "", ExpectMatcher.prefix("220"), LONG)); // warm up the JDK's own descriptors
      long before = countFds(fds);
      List<CompletableFuture<ProbeResult>> all = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        all.add(engine.probe(tcp(ok, "", ExpectMatcher.prefix("220"), LONG)));
        all.add(engine.probe(tcp(silent, "", ExpectMatcher.prefix("220"), SHORT)));
        all.add(engine.probe(SocketCheck.udp(udpSilent.address(), "x", Optional.empty(), SHORT)));
        all.add(
            engine.probe(
                SocketCheck.tcp(
                    new InetSocketAddress("127.0.0.1", TcpPeer.closedPort()),
                    "",
                    Optional.empty(),
                    LONG)));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertThat(all).allSatisfy(f -> assertThat(f).isDone());
      assertThat(engine.inFlight()).isZero();
      // the silent peer's accepted sockets are held by the peer, not by the probes: close it first
      silent.close();
      // The peers close their side asynchronously; a leaked probe socket would never go away.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .pollInterval(java.time.Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(countFds(fds)).isLessThanOrEqualTo(before + 5));
    }
  }

  private static long countFds(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void a_closed_engine_answers_every_probe_with_a_local_error() throws Exception {
    SocketProbeEngine e = new SocketProbeEngine();
    e.close();
    ProbeResult r =
        e.probe(SocketCheck.tcp(new InetSocketAddress("127.0.0.1", 9), "", Optional.empty(), LONG))
            .get(1, TimeUnit.SECONDS);
    assertThat(r.cause()).contains(FailureCause.LOCAL_ERROR);
  }

  @Test
  void probes_are_spread_over_several_selector_threads_when_asked_and_all_succeed()
      throws Exception {
    try (SocketProbeEngine sharded = new SocketProbeEngine(System::nanoTime, Runnable::run, 3);
        TcpPeer peer = new TcpPeer(TcpPeer.replies("220 ready\r\n"))) {
      assertThat(sharded.selectorThreads()).isEqualTo(3);
      List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        fs.add(sharded.probe(tcp(peer, "", ExpectMatcher.prefix("220"), LONG)));
      }
      for (CompletableFuture<ProbeResult> f : fs) {
        ProbeResult r = f.get(LONG.toMillis() + 2000, TimeUnit.MILLISECONDS);
        assertThat(r.success()).as(r.message()).isTrue();
      }
      assertThat(sharded.started()).isEqualTo(30);
      assertThat(sharded.inFlight()).isZero();
    }
  }

  @Test
  void an_unresolved_address_is_unknown_host() throws Exception {
    ProbeResult r =
        run(
            SocketCheck.tcp(
                InetSocketAddress.createUnresolved("no.such.host.invalid", 80),
                "",
                Optional.empty(),
                LONG));
    assertThat(r.cause()).contains(FailureCause.UNKNOWN_HOST);
  }

  /**
   * Two thousand probes at once against one local acceptor: all complete well within their timeout
   * on the engine's single selector thread; the JVM's thread count does not grow with the probes.
   */
  @Test
  void two_thousand_concurrent_tcp_probes_share_one_thread_and_all_complete() throws Exception {
    int n = 2000;
    Duration timeout = Duration.ofSeconds(10);
    AtomicInteger served = new AtomicInteger();
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
      InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
      Thread acceptor =
          new Thread(
              () -> {
                java.nio.ByteBuffer hello =
                    java.nio.ByteBuffer.wrap("OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                while (served.get() < n) {
                  try (SocketChannel c = server.accept()) {
                    c.write(hello.duplicate());
                    served.incrementAndGet();
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "many-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();

      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      int threadsBefore = threads.getThreadCount();
      threads.resetPeakThreadCount();
      SocketCheck check =
          SocketCheck.tcp(addr, "", Optional.of(ExpectMatcher.prefix("OK")), timeout);
      long t0 = System.nanoTime();
      List<CompletableFuture<ProbeResult>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        futures.add(engine.probe(check));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
      Duration wall = Duration.ofNanos(System.nanoTime() - t0);
      int peak = threads.getPeakThreadCount();
      acceptor.join(2000);

      List<ProbeResult> results = futures.stream().map(CompletableFuture::join).toList();
      assertThat(results).allSatisfy(r -> assertThat(r.success()).as(r.message()).isTrue());
      assertThat(results).allSatisfy(r -> assertThat(r.elapsed()).isLessThanOrEqualTo(timeout));
      assertThat(served.get()).isEqualTo(n);
      assertThat(peak - threadsBefore).as("threads added while %d probes ran", n).isLessThan(20);
      assertThat(engine.inFlight()).isZero();
      System.out.printf(
          "%d concurrent TCP probes: %d ms wall, peak threads +%d%n",
          n, wall.toMillis(), peak - threadsBefore);
    }
  }

  // --- IPv6 --------------------------------------------------------------------------------------

  @Test
  void over_ipv6_tcp_send_and_expect_reach_the_server_on_the_ipv6_loopback() throws Exception {
    try (TcpPeer peer = new TcpPeer(TcpPeer.replies("220 ready\r\n"), "::1")) {
      ProbeResult r = run(tcp(peer, "HELO probe\n", ExpectMatcher.prefix("220"), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(SocketCheck.tcp(peer.address(), "", Optional.empty(), LONG).describe())
          .contains("[::1]:" + peer.address().getPort());
    }
  }

  @Test
  void over_ipv6_a_udp_echo_matches_and_a_closed_port_is_port_unreachable() throws Exception {
    try (UdpPeer peer = new UdpPeer(true, "::1")) {
      ProbeResult r =
          run(
              SocketCheck.udp(
                  peer.address(), "ping\n", Optional.of(ExpectMatcher.prefix("ping")), LONG));
      assertThat(r.success()).as(r.message()).isTrue();
    }
    int port;
    try (DatagramSocket free = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      port = free.getLocalPort();
    }
    ProbeResult closed =
        run(SocketCheck.udp(new InetSocketAddress("::1", port), "ping\n", Optional.empty(), LONG));
    assertThat(closed.cause()).contains(FailureCause.PORT_UNREACHABLE);
  }
}
