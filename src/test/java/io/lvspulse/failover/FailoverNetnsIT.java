package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.testing.NetNs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two directors whose VIP actions run for real in their own network namespace (primary in {@code
 * -a}, backup in {@code -b}, joined by veth {@code lan0}); their heartbeats use loopback (127.0.0.1
 * / 127.0.0.2). IPVS is the dry-run backend. keepalive 200 ms, deadtime 1 s.
 */
class FailoverNetnsIT {
  private static final Duration KEEPALIVE = Duration.ofMillis(200);
  private static final Duration DEADTIME = Duration.ofSeconds(1);

  private NetNs ns;
  private final List<Failover> directors = new ArrayList<>();

  @BeforeEach
  void setUp() {
    ns = NetNs.createPair();
  }

  @AfterEach
  void tearDown() {
    for (Failover f : directors) {
      f.stop(Duration.ofSeconds(10));
    }
    ns.close();
  }

  private Failover director(LvsConfig c, Role role, String namespace, AtomicInteger activations)
      throws Exception {
    String self = role == Role.PRIMARY ? "127.0.0.1" : "127.0.0.2";
    int port = c.global().heartbeatPort();
    DryRunBackend ipvs = new DryRunBackend();
    Failover f =
        Failover.builder(c)
            .options(
                FailoverOptions.defaults()
                    .withRole(role)
                    .withSocket(TestConfigs.ip(self), port, port)
                    .withCommandPrefix(NetNs.prefix(namespace))
                    .withArps(2, Duration.ofMillis(200)))
            .ipvs(ipvs)
            .registry(new SimpleMeterRegistry())
            .localAddresses(LocalAddresses.of(Map.of()))
            .listener(
                new FailoverListener() {
                  @Override
                  public void onActive() {
                    activations.incrementAndGet();
                  }

                  @Override
                  public void onInactive(String reason) {}
                })
            .build();
    f.start();
    directors.add(f);
    return f;
  }

  private boolean holds(String namespace) {
    return ns.addresses(namespace).contains("inet " + ns.address(100) + "/32");
  }

  @Test
  void the_vip_follows_the_active_director_and_a_restarted_primary_does_not_take_it_back()
      throws Exception {
    int port = FailoverPairTest.freePort();
    LvsConfig c =
        TestConfigs.pair(
            "127.0.0.1",
            "127.0.0.2",
            port,
            KEEPALIVE,
            DEADTIME,
            List.of(TestConfigs.virtual("tftp", ns.address(100), "lan0:1", 1)),
            g -> {});
    AtomicInteger primaryActive = new AtomicInteger();
    AtomicInteger backupActive = new AtomicInteger();
    Failover backup = director(c, Role.BACKUP, ns.b, backupActive);
    Failover primary = director(c, Role.PRIMARY, ns.a, primaryActive);

    await().atMost(Duration.ofSeconds(10)).until(() -> holds(ns.a));
    assertThat(primary.status().active()).isTrue();
    assertThat(holds(ns.b)).isFalse();
    assertThat(backupActive.get()).isZero();

    long t0 = System.nanoTime();
    primary.stop(Duration.ofSeconds(10));
    directors.remove(primary);
    await()
        .atMost(DEADTIME.plusSeconds(1))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> holds(ns.b));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(DEADTIME.plusSeconds(1));
    assertThat(holds(ns.a)).isFalse();
    assertThat(backupActive.get()).isEqualTo(1);

    AtomicInteger restartedActive = new AtomicInteger();
    Failover restarted = director(c, Role.PRIMARY, ns.a, restartedActive);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> restarted.status().partnerState() == PartnerState.RUNNING);
    await() // nothing may move for a few deadtimes
        .during(DEADTIME.multipliedBy(3))
        .atMost(DEADTIME.multipliedBy(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> holds(ns.b) && !holds(ns.a));
    assertThat(restartedActive.get()).isZero();
    assertThat(backup.status().active()).isTrue();
  }
}
