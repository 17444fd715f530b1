package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.testing.Waits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two heartbeat endpoints on loopback (primary 127.0.0.1, backup 127.0.0.2, one free UDP port),
 * real sockets and threads, keepalive 100 ms and deadtime 600 ms. "A pulse primary" is a plain UDP
 * socket sending pulse's 4-byte magics, as Piranha's pulse would.
 */
class FailoverPairTest {
  private static final Duration KEEPALIVE = Duration.ofMillis(100);
  private static final Duration DEADTIME = Duration.ofMillis(600);
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void closeAll() throws Exception {
    pacer.shutdownNow();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /**
   * Sends what {@code packets} gives once per keepalive, as a pulse partner would, until cancelled.
   */
  private ScheduledFuture<?> everyKeepalive(DatagramSocket from, Supplier<List<byte[]>> packets) {
    return pacer.scheduleAtFixedRate(
        () -> {
          try {
            for (byte[] p : packets.get()) {
              sendTo(from, p, "127.0.0.2", from.getLocalPort());
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        0,
        KEEPALIVE.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** A UDP port free on both 127.0.0.1 and 127.0.0.2 (bounded attempts). */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (DatagramSocket a =
          new DatagramSocket(new InetSocketAddress(TestConfigs.ip("127.0.0.1"), 0))) {
        int p = a.getLocalPort();
        try (DatagramSocket b =
            new DatagramSocket(new InetSocketAddress(TestConfigs.ip("127.0.0.2"), p))) {
          return p;
        } catch (IOException busy) {
          // try another
        }
      }
    }
    throw new IOException("no UDP port free on both 127.0.0.1 and 127.0.0.2");
  }

  private LvsConfig config(int port, Optional<Path> key) {
    return TestConfigs.pair(
        "127.0.0.1",
        "127.0.0.2",
        port,
        KEEPALIVE,
        DEADTIME,
        List.of(),
        g -> g.heartbeatKeyFile = key);
  }

  private Failover director(LvsConfig c, Role role, MeterRegistry registry) throws Exception {
    String self = role == Role.PRIMARY ? "127.0.0.1" : "127.0.0.2";
    int port = c.global().heartbeatPort();
    Failover f =
        Failover.builder(c)
            .options(
                FailoverOptions.defaults()
                    .withRole(role)
                    .withSocket(TestConfigs.ip(self), port, port))
            .ipvs(new DryRunBackend())
            .registry(registry)
            .localAddresses(LocalAddresses.of(Map.of()))
            .build();
    f.start();
    toClose.add(f);
    return f;
  }

  private DatagramSocket fakePulse(String address, int port) throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(TestConfigs.ip(address), port));
    s.setSoTimeout(2000);
    toClose.add(s);
    return s;
  }

  private static void sendTo(DatagramSocket s, byte[] payload, String address, int port)
      throws IOException {
    s.send(
        new DatagramPacket(
            payload, payload.length, new InetSocketAddress(TestConfigs.ip(address), port)));
  }

  private static double received(MeterRegistry r, RxResult result) {
    return r.get("lvs_pulse_heartbeats_received").tag("result", result.tag()).counter().count();
  }

  @Test
  void
      the_primary_becomes_active_a_stopped_primary_hands_over_at_once_and_a_restarted_one_stays_backup()
          throws Exception {
    int port = freePort();
    LvsConfig c = config(port, Optional.empty());
    MeterRegistry backupMetrics = new SimpleMeterRegistry();
    Failover backup = director(c, Role.BACKUP, backupMetrics);
    Failover primary = director(c, Role.PRIMARY, new SimpleMeterRegistry());

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(primary.status().active()).isTrue();
              assertThat(backup.status().partnerState()).isEqualTo(PartnerState.RUNNING);
            });
    assertThat(backup.status().active()).isFalse();
    assertThat(backup.status().lastHeard()).isPresent();
    assertThat(received(backupMetrics, RxResult.OK)).isPositive();
    assertThat(backupMetrics.get("lvs_pulse_heartbeats_sent").counter().count()).isPositive();

    long t0 = System.nanoTime();
    primary.stop(Duration.ofSeconds(5));
    await().atMost(DEADTIME.plusSeconds(1)).until(() -> backup.status().active());
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(DEADTIME.plusSeconds(1));
    assertThat(backup.status().lastTransitionReason())
        .isIn("primary inactive", "partner silent for deadtime (600 ms)");

    Failover restarted = director(c, Role.PRIMARY, new SimpleMeterRegistry());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> restarted.status().partnerState() == PartnerState.RUNNING);
    await() // a few deadtimes: nothing may change
        .during(DEADTIME.multipliedBy(3))
        .atMost(DEADTIME.multipliedBy(4))
        .until(() -> !restarted.status().active() && backup.status().active());
  }

  @Test
  void a_backup_takes_over_from_a_silent_pulse_primary_within_deadtime_and_yields_when_it_returns()
      throws Exception {
    int port = freePort();
    PlainHeartbeatCodec pulse = new PlainHeartbeatCodec();
    DatagramSocket pulsePrimary = fakePulse("127.0.0.1", port);
    Failover backup =
        director(config(port, Optional.empty()), Role.BACKUP, new SimpleMeterRegistry());

    // What the backup sends is pulse's format: exactly 4 bytes, STOPPED in host order.
    DatagramPacket p = new DatagramPacket(new byte[100], 100);
    pulsePrimary.receive(p);
    assertThat(p.getLength()).isEqualTo(4);
    assertThat(pulse.decode(p.getData(), p.getLength()))
        .isEqualTo(new HeartbeatCodec.Accepted(HeartbeatState.STOPPED));
    assertThat(((InetSocketAddress) p.getSocketAddress()).getAddress())
        .isEqualTo(TestConfigs.ip("127.0.0.2"));

    ScheduledFuture<?> running =
        everyKeepalive(pulsePrimary, () -> List.of(pulse.encode(HeartbeatState.RUNNING)));
    await() // 15 keepalives of a running primary: the backup stays passive
        .during(KEEPALIVE.multipliedBy(15))
        .atMost(KEEPALIVE.multipliedBy(20))
        .until(() -> !backup.status().active());

    running.cancel(false);
    long t0 = System.nanoTime(); // the primary goes silent
    await()
        .atMost(DEADTIME.plusSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> backup.status().active());
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isBetween(DEADTIME.minusMillis(150), DEADTIME.plusSeconds(1));
    assertThat(backup.status().partnerState()).isEqualTo(PartnerState.DEAD);

    sendTo(pulsePrimary, pulse.encode(HeartbeatState.RUNNING), "127.0.0.2", port);
    await().atMost(Duration.ofSeconds(2)).until(() -> !backup.status().active());
    assertThat(backup.status().lastTransitionReason()).isEqualTo("partner (primary) active");
  }

  @Test
  void in_authenticated_mode_forged_replayed_and_foreign_heartbeats_do_not_keep_the_backup_passive()
      throws Exception {
    int port = freePort();
    Path keyFile = dir.resolve("heartbeat.key");
    Files.write(keyFile, KEY);
    MeterRegistry metrics = new SimpleMeterRegistry();
    DatagramSocket primarySocket = fakePulse("127.0.0.1", port);
    DatagramSocket stranger = fakePulse("127.0.0.3", port);
    Failover backup = director(config(port, Optional.of(keyFile)), Role.BACKUP, metrics);
    AuthenticatedHeartbeatCodec genuine =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, HeartbeatKey.of(KEY), InstantSource.system());
    AuthenticatedHeartbeatCodec forger =
        new AuthenticatedHeartbeatCodec(
            Role.PRIMARY,
            HeartbeatKey.of("not-the-right-key-at-all-000000".getBytes(StandardCharsets.US_ASCII)),
            InstantSource.system());

    // The genuine primary answers the backup's heartbeats (the handshake: its messages echo the
    // backup's), then keeps it passive; record two of its heartbeats for replaying.
    primarySocket.setSoTimeout(1);
    Runnable readBackup =
        () -> {
          DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
          for (int k = 0; k < 50; k++) {
            try {
              primarySocket.receive(in);
              genuine.decode(in.getData(), in.getLength());
            } catch (IOException e) {
              return; // nothing more queued
            }
          }
        };
    AtomicInteger genuineSent = new AtomicInteger();
    List<byte[]> captured = new java.util.concurrent.CopyOnWriteArrayList<>();
    ScheduledFuture<?> primary =
        everyKeepalive(
            primarySocket,
            () -> {
              readBackup.run();
              genuineSent.incrementAndGet();
              byte[] p = genuine.encode(HeartbeatState.RUNNING);
              if (captured.size() < 2) {
                captured.add(p);
              }
              return List.of(p);
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> genuineSent.get() >= 10);
    primary.cancel(false);
    assertThat(backup.status().active()).isFalse();
    assertThat(backup.status().authenticated()).isTrue();
    int genuineCount = genuineSent.get();
    assertThat(received(metrics, RxResult.OK))
        .as("all but the handshake's first heartbeats accepted")
        .isBetween((double) genuineCount - 3, (double) genuineCount);

    // The primary dies; an attacker replays, forges and sends plain pulse packets from its address,
    // and a stranger sends genuine-looking ones from another address.
    long t0 = System.nanoTime();
    ScheduledFuture<?> attacker =
        everyKeepalive(
            primarySocket,
            () ->
                List.of(
                    captured.get(0),
                    captured.get(1),
                    forger.encode(HeartbeatState.RUNNING),
                    new PlainHeartbeatCodec().encode(HeartbeatState.RUNNING)));
    ScheduledFuture<?> foreign =
        everyKeepalive(stranger, () -> List.of(genuine.encode(HeartbeatState.RUNNING)));
    await().atMost(DEADTIME.plusSeconds(2)).until(() -> backup.status().active());
    attacker.cancel(false);
    foreign.cancel(false);

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(DEADTIME.plusSeconds(1));
    assertThat(received(metrics, RxResult.REPLAY)).isPositive();
    assertThat(received(metrics, RxResult.BAD_MAC)).isPositive();
    // The stranger's datagrams never reach the process: the heartbeat sockets are connected to
    // the partner's addresses, so the kernel filters them before any buffer.
    assertThat(received(metrics, RxResult.WRONG_SOURCE)).isZero();

    // What the backup sends is the authenticated format.
    primarySocket.setSoTimeout(2000);
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    Heartbeat last = null;
    for (int i = 0; i < 200 && (last == null || last.state() != HeartbeatState.RUNNING); i++) {
      primarySocket.receive(p); // queued STOPPED ones first
      assertThat(p.getLength()).isEqualTo(AuthenticatedHeartbeatCodec.HEARTBEAT_LENGTH);
      HeartbeatCodec.Decoded d = genuine.decode(p.getData(), p.getLength());
      if (d instanceof HeartbeatCodec.Accepted a) {
        last = (Heartbeat) a.message();
      } else {
        assertThat(((HeartbeatCodec.Rejected) d).result()).isEqualTo(RxResult.REPLAY);
      }
    }
    assertThat(last).isEqualTo(Heartbeat.healthy(HeartbeatState.RUNNING));
  }

  @Test
  void in_authenticated_mode_the_partners_local_problem_is_seen_and_both_unhealthy_keep_the_vip()
      throws Exception {
    int port = freePort();
    Path keyFile = dir.resolve("heartbeat.key");
    Files.write(keyFile, KEY);
    LvsConfig c = config(port, Optional.of(keyFile));
    Failover primary = director(c, Role.PRIMARY, new SimpleMeterRegistry());
    Failover backup = director(c, Role.BACKUP, new SimpleMeterRegistry());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                primary.status().active()
                    && backup.status().partnerState() == PartnerState.RUNNING
                    && primary.status().partnerState() == PartnerState.STOPPED);

    backup.setLocalProblem("ipvs", Optional.of("IPVS cannot be programmed"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> primary.status().partnerProblem().isPresent());
    assertThat(primary.status().partnerProblem()).contains("ipvs: IPVS cannot be programmed");
    primary.setLocalProblem("ipvs", Optional.of("IPVS cannot be programmed"));
    holdsForTwoDeadtimes(
        () -> {
          assertThat(primary.status().active()).as("both unhealthy: the VIP stays").isTrue();
          assertThat(backup.status().active()).isFalse();
        });
    assertThat(primary.status().lastTransitionReason()).startsWith("keeping the VIPs");

    backup.setLocalProblem("ipvs", Optional.empty());
    await().atMost(Duration.ofSeconds(5)).until(() -> backup.status().active());
    assertThat(primary.status().active()).isFalse();
  }

  /**
   * The plain format cannot say a director's health: an unhealthy inactive director is silent, so
   * its partner counts it out and keeps its VIPs even with a local problem of its own.
   */
  @Test
  void in_plain_mode_an_unhealthy_inactive_director_is_silent_and_never_gets_the_vips()
      throws Exception {
    int port = freePort();
    LvsConfig c = config(port, Optional.empty());
    Failover primary = director(c, Role.PRIMARY, new SimpleMeterRegistry());
    Failover backup = director(c, Role.BACKUP, new SimpleMeterRegistry());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                primary.status().active()
                    && primary.status().partnerState() == PartnerState.STOPPED);

    backup.setLocalProblem("ipvs", Optional.of("IPVS cannot be programmed"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> primary.status().partnerState() == PartnerState.DEAD);
    primary.setLocalProblem("ipvs", Optional.of("IPVS cannot be programmed"));
    holdsForTwoDeadtimes(
        () -> {
          assertThat(primary.status().active()).as("the partner is silent: keep the VIPs").isTrue();
          assertThat(backup.status().active()).isFalse();
        });

    backup.setLocalProblem("ipvs", Optional.empty()); // heard again, healthy: it takes over
    await().atMost(Duration.ofSeconds(5)).until(() -> backup.status().active());
    assertThat(primary.status().active()).isFalse();
  }

  @Test
  void heartbeats_go_once_to_each_distinct_partner_address() throws Exception {
    int port = freePort();
    LvsConfig c =
        TestConfigs.pair(
            "127.0.0.1",
            "127.0.0.2",
            port,
            KEEPALIVE,
            DEADTIME,
            List.of(),
            g -> {
              g.primaryPrivate =
                  Optional.of(TestConfigs.ip("127.0.0.1")); // same as public: one destination
            });
    DatagramSocket pulsePrimary = fakePulse("127.0.0.1", port);
    Failover backup = director(c, Role.BACKUP, new SimpleMeterRegistry());
    int n = 0;
    long end = System.nanoTime() + Duration.ofMillis(1000).toNanos();
    while (System.nanoTime() < end) {
      try {
        pulsePrimary.setSoTimeout(200);
        pulsePrimary.receive(new DatagramPacket(new byte[100], 100));
        n++;
      } catch (SocketTimeoutException e) {
        break;
      }
    }
    assertThat(n).isBetween(7, 13); // one per keepalive, not two
    assertThat(backup.status().partnerAddresses()).containsExactly(TestConfigs.ip("127.0.0.1"));
  }

  /** {@code check} holds at every poll for two deadtimes, the time a takeover would need. */
  private static void holdsForTwoDeadtimes(ThrowingRunnable check) {
    Waits.holds("no takeover", DEADTIME.multipliedBy(2), Duration.ofMillis(50), check);
  }
}
