package io.lvspulse.probe.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several selector threads, the descriptor budget and the early close of the connected socket. */
class TftpProbeEngineShardsTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private TftpProbeEngine engine(int threads, long channelBudget) throws Exception {
    TftpProbeEngine e =
        new TftpProbeEngine(System::nanoTime, Runnable::run, true, threads, channelBudget);
    toClose.add(e);
    return e;
  }

  private ScriptedServer server(ScriptedServer.Script script) throws Exception {
    ScriptedServer s = new ScriptedServer("127.0.0.1", script);
    toClose.add(s);
    return s;
  }

  private static final ScriptedServer.Script FILE_NOT_FOUND =
      (srv, req, from) ->
          ScriptedServer.send(
              srv.newSocket("127.0.0.1"), from, new TftpPacket.Error(1, "File not found"));

  private static int closedPort() throws Exception {
    try (DatagramSocket free = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      return free.getLocalPort();
    }
  }

  @Test
  void probes_are_spread_round_robin_over_every_selector_thread_and_all_succeed() throws Exception {
    TftpProbeEngine engine = engine(3, Long.MAX_VALUE);
    ScriptedServer s = server(FILE_NOT_FOUND);
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      fs.add(engine.probe(TftpCheck.connect(s.address(), Duration.ofSeconds(5))));
    }
    for (CompletableFuture<ProbeResult> f : fs) {
      ProbeResult r = f.get(7, TimeUnit.SECONDS);
      assertThat(r.success()).as(r.message()).isTrue();
    }
    assertThat(engine.selectorThreads()).isEqualTo(3);
    assertThat(engine.probesStartedPerShard()).containsExactly(100, 100, 100);
    assertThat(engine.selectorThreadList()).extracting(Thread::getName).doesNotHaveDuplicates();
    assertThat(engine.inFlight()).isZero();
    await().atMost(Duration.ofSeconds(2)).until(() -> engine.openChannels() == 0);
  }

  @Test
  void every_selector_thread_detects_port_unreachable() throws Exception {
    TftpProbeEngine engine = engine(2, Long.MAX_VALUE);
    TftpCheck c =
        TftpCheck.connect(new InetSocketAddress("127.0.0.1", closedPort()), Duration.ofSeconds(5));
    for (int i = 0; i < 4; i++) {
      ProbeResult r = engine.probe(c).get(6, TimeUnit.SECONDS);
      assertThat(r.cause()).contains(FailureCause.PORT_UNREACHABLE);
      assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(1));
    }
    assertThat(engine.probesStartedPerShard()).containsExactly(2, 2);
    assertThat(engine.oneSocketProbes()).isZero();
  }

  @Test
  void closing_an_engine_with_several_selector_threads_fails_every_probe_and_stops_every_thread()
      throws Exception {
    TftpProbeEngine engine = engine(3, Long.MAX_VALUE);
    ScriptedServer silent = server((srv, req, from) -> {});
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      fs.add(engine.probe(TftpCheck.connect(silent.address(), Duration.ofSeconds(30))));
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Arrays.stream(engine.probesStartedPerShard()).sum() == 30);
    engine.close();
    for (CompletableFuture<ProbeResult> f : fs) {
      ProbeResult r = f.get(1, TimeUnit.SECONDS);
      assertThat(r.cause()).contains(FailureCause.LOCAL_ERROR);
      assertThat(r.message()).isEqualTo("TFTP engine closed");
    }
    assertThat(engine.selectorThreadList()).hasSize(3).noneMatch(Thread::isAlive);
    assertThat(engine.inFlight()).isZero();
    assertThat(engine.openChannels()).isZero();
    ProbeResult after =
        engine
            .probe(TftpCheck.connect(silent.address(), Duration.ofSeconds(1)))
            .get(1, TimeUnit.SECONDS);
    assertThat(after.cause()).contains(FailureCause.LOCAL_ERROR);
  }

  @Test
  void probes_submitted_while_the_engine_closes_all_complete() throws Exception {
    TftpProbeEngine engine = engine(2, Long.MAX_VALUE);
    ScriptedServer silent = server((srv, req, from) -> {});
    List<CompletableFuture<ProbeResult>> fs = new ArrayList<>();
    Thread submitter =
        new Thread(
            () -> {
              for (int i = 0; i < 2000; i++) {
                fs.add(engine.probe(TftpCheck.connect(silent.address(), Duration.ofSeconds(30))));
              }
            });
    submitter.start();
    engine.close();
    submitter.join(5000);
    assertThat(fs).hasSize(2000);
    for (CompletableFuture<ProbeResult> f : fs) {
      assertThat(f.get(1, TimeUnit.SECONDS).cause()).contains(FailureCause.LOCAL_ERROR);
    }
    assertThat(engine.inFlight()).isZero();
  }

  @Test
  void
      with_the_descriptor_budget_used_up_a_probe_runs_on_one_socket_and_a_no_listener_port_times_out()
          throws Exception {
    TftpProbeEngine engine = engine(1, 1); // room for the receiving channel only
    ScriptedServer s = server(FILE_NOT_FOUND);
    ProbeResult ok =
        engine
            .probe(TftpCheck.connect(s.address(), Duration.ofSeconds(5)))
            .get(6, TimeUnit.SECONDS);
    assertThat(ok.success()).as(ok.message()).isTrue();
    TftpCheck dead =
        TftpCheck.connect(new InetSocketAddress("127.0.0.1", closedPort()), Duration.ofMillis(300));
    ProbeResult r = engine.probe(dead).get(2, TimeUnit.SECONDS);
    assertThat(r.cause()).contains(FailureCause.TIMEOUT);
    assertThat(engine.oneSocketProbes()).isEqualTo(2);
  }

  @Test
  void the_connected_socket_is_closed_once_the_servers_tid_is_locked() throws Exception {
    TftpProbeEngine engine = engine(1, Long.MAX_VALUE);
    CountDownLatch checked = new CountDownLatch(1);
    AtomicLong duringTransfer = new AtomicLong(-1);
    ScriptedServer s =
        server(
            (srv, req, from) -> {
              if (req[1] != 1) {
                return;
              }
              DatagramSocket tid = srv.newSocket("127.0.0.1");
              tid.setSoTimeout(2000);
              ScriptedServer.send(tid, from, new TftpPacket.Data(1, new byte[512]));
              tid.receive(new DatagramPacket(new byte[100], 100)); // ACK 1
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
              while (engine.openChannels() != 1 && System.nanoTime() < end) {
                Thread.onSpinWait(); // the engine closes it right after sending ACK 1
              }
              duringTransfer.set(engine.openChannels());
              try {
                checked.await(2, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              ScriptedServer.send(tid, from, new TftpPacket.Data(2, new byte[88]));
            });
    TftpCheck c =
        TftpCheck.get(s.address(), "f", 600, Optional.empty(), Duration.ofSeconds(5))
            .withBlockSize(0);
    CompletableFuture<ProbeResult> f = engine.probe(c);
    await().atMost(Duration.ofSeconds(5)).until(() -> duringTransfer.get() >= 0);
    checked.countDown();
    ProbeResult r = f.get(6, TimeUnit.SECONDS);
    assertThat(r.message()).startsWith("OK - Received 600 bytes");
    assertThat(duringTransfer).as("channels open while the transfer runs").hasValue(1);
    assertThat(engine.oneSocketProbes()).as("the probe started with two sockets").isZero();
  }

  @Test
  void zero_selector_threads_is_rejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new TftpProbeEngine(System::nanoTime, Runnable::run, true, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
