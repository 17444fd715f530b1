package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.ipvs.DryRunBackend;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lvs_pulse_partner_active}: what the partner's heartbeats say of it, the half of a split
 * brain that one director can see alone. Two real directors on loopback as in {@link
 * FailoverPairTest} (keepalive 100 ms, deadtime 600 ms).
 */
class PartnerActiveMetricTest {
  private static final String NAME = "lvs_pulse_partner_active";
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
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

  private static double partnerActive(MeterRegistry r) {
    return r.get(NAME).gauge().value();
  }

  @Test
  void the_backup_sees_its_active_primary_as_active_and_as_inactive_once_it_has_stopped()
      throws Exception {
    int port = FailoverPairTest.freePort();
    LvsConfig c =
        TestConfigs.pair(
            "127.0.0.1",
            "127.0.0.2",
            port,
            Duration.ofMillis(100),
            Duration.ofMillis(600),
            List.of(),
            g -> g.heartbeatKeyFile = Optional.empty());
    MeterRegistry backupMetrics = new SimpleMeterRegistry();
    MeterRegistry primaryMetrics = new SimpleMeterRegistry();
    Failover backup = director(c, Role.BACKUP, backupMetrics);
    assertThat(partnerActive(backupMetrics)).as("nothing heard yet").isZero();
    Failover primary = director(c, Role.PRIMARY, primaryMetrics);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(primary.status().active()).isTrue();
              assertThat(partnerActive(backupMetrics)).isEqualTo(1.0);
            });
    assertThat(backup.status().active()).isFalse();
    assertThat(backup.status().partnerState()).isEqualTo(PartnerState.RUNNING);
    assertThat(partnerActive(primaryMetrics)).as("the backup says STOPPED").isZero();

    primary.stop(Duration.ofSeconds(5));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(backup.status().active()).isTrue();
              assertThat(partnerActive(backupMetrics)).isZero();
            });
  }

  @Test
  void only_a_running_partner_counts_as_active() {
    MeterRegistry r = new SimpleMeterRegistry();
    FailoverMetrics m = new FailoverMetrics(r, Role.PRIMARY);
    for (PartnerState s : PartnerState.values()) {
      m.partner(s);
      assertThat(partnerActive(r)).as(s.name()).isEqualTo(s == PartnerState.RUNNING ? 1.0 : 0.0);
    }
    m.close();
    assertThat(r.find(NAME).gauge()).as("removed on close").isNull();
  }
}
