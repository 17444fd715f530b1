package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.testing.ManualScheduler;
import io.lvspulse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin state (drain, maintenance, enable) the monitor keeps next to each server's health. */
class HealthMonitorAdminTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T00:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final HealthMonitorTest.FakeProbes probes = new HealthMonitorTest.FakeProbes();
  private final List<MonitorSnapshot> published = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private HealthMonitor monitor;

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  private static LvsConfig config(String... addrs) throws Exception {
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < addrs.length; i++) {
      servers.append(HealthMonitorTest.server("s" + i, addrs[i]));
    }
    return HealthMonitorTest.config(servers.toString(), "");
  }

  private void start(LvsConfig cfg, Map<ServerId, Admin> restored) {
    monitor = new HealthMonitor(probes, scheduler, clock, registry, published::add);
    monitor.start(cfg, HealthMonitor.KernelWeights.NONE, restored);
    monitor.awaitIdle();
  }

  private static ServerId id(String addr) throws Exception {
    return ServerId.of("tftp", java.net.InetAddress.getByName(addr), 69);
  }

  private ServerView view(String addr) {
    return monitor.snapshot().servers().stream()
        .filter(v -> v.server().address().getHostAddress().equals(addr))
        .findFirst()
        .orElseThrow();
  }

  private void fire(String addr) throws Exception {
    monitor.fireNow(id(addr));
    monitor.awaitIdle();
  }

  private ServerGauges.Server gauge(String addr) {
    ServerGauges.Server[] found = {null};
    monitor
        .serverGauges()
        .forEach(
            g -> {
              if (g.address().equals(addr)) {
                found[0] = g;
              }
            });
    return java.util.Objects.requireNonNull(found[0]);
  }

  @Test
  void drain_keeps_an_up_server_in_ipvs_at_weight_zero_and_probes_go_on() throws Exception {
    start(config("10.0.0.2"), Map.of());
    fire("10.0.0.2");
    clock.advance(Duration.ofSeconds(5));

    Optional<Admin> a = monitor.setAdmin(id("10.0.0.2"), AdminState.DRAIN, "test");

    assertThat(a).hasValueSatisfying(x -> assertThat(x.state()).isEqualTo(AdminState.DRAIN));
    ServerView v = view("10.0.0.2");
    assertThat(v.health()).isEqualTo(Health.UP);
    assertThat(v.weight()).as("the health rules' weight").isEqualTo(1);
    assertThat(v.effectiveInIpvs()).isTrue();
    assertThat(v.effectiveWeight()).isZero();
    assertThat(v.admin().since()).isEqualTo(clock.instant());
    assertThat(v.admin().by()).isEqualTo("test");
    assertThat(gauge("10.0.0.2").weight()).isZero();
    assertThat(gauge("10.0.0.2").up()).isEqualTo(1);
    assertThat(gauge("10.0.0.2").admin()).isEqualTo(AdminState.DRAIN);

    int probesBefore = (int) registry.get(HealthMonitor.PROBES).counter().count();
    fire("10.0.0.2");
    assertThat(registry.get(HealthMonitor.PROBES).counter().count())
        .as("probes go on")
        .isEqualTo(probesBefore + 1);
    assertThat(view("10.0.0.2").effectiveWeight()).isZero();
  }

  @Test
  void enable_brings_the_server_back_to_the_health_rules() throws Exception {
    start(config("10.0.0.2"), Map.of());
    fire("10.0.0.2");
    monitor.setAdmin(id("10.0.0.2"), AdminState.DRAIN, "test");
    monitor.setAdmin(id("10.0.0.2"), AdminState.ENABLED, "test");

    ServerView v = view("10.0.0.2");
    assertThat(v.admin().state()).isEqualTo(AdminState.ENABLED);
    assertThat(v.effectiveWeight()).isEqualTo(1);
    assertThat(gauge("10.0.0.2").weight()).isEqualTo(1);
  }

  @Test
  void setting_the_state_a_server_has_changes_nothing_and_publishes_nothing() throws Exception {
    start(config("10.0.0.2"), Map.of());
    fire("10.0.0.2");
    Admin first = monitor.setAdmin(id("10.0.0.2"), AdminState.DRAIN, "alice").orElseThrow();
    monitor.awaitIdle();
    int published0 = published.size();
    clock.advance(Duration.ofMinutes(1));

    Admin again = monitor.setAdmin(id("10.0.0.2"), AdminState.DRAIN, "bob").orElseThrow();
    monitor.awaitIdle();

    assertThat(again).isEqualTo(first);
    assertThat(published).hasSize(published0);
  }

  @Test
  void maintenance_is_weight_zero_until_the_director_finds_it_drained_then_out() throws Exception {
    start(config("10.0.0.2"), Map.of());
    fire("10.0.0.2");
    Admin m = monitor.setAdmin(id("10.0.0.2"), AdminState.MAINTENANCE, "test").orElseThrow();
    assertThat(m.awaitingDrain()).isTrue();
    assertThat(view("10.0.0.2").effectiveInIpvs()).isTrue();
    assertThat(view("10.0.0.2").effectiveWeight()).isZero();

    assertThat(monitor.markDrained(id("10.0.0.2"), m.since(), "no connection")).isTrue();

    ServerView v = view("10.0.0.2");
    assertThat(v.effectiveInIpvs()).isFalse();
    assertThat(v.admin().drainedAt()).contains(clock.instant());
    assertThat(v.health()).as("still probed and healthy").isEqualTo(Health.UP);
    fire("10.0.0.2");
    assertThat(view("10.0.0.2").effectiveInIpvs()).as("health does not bring it back").isFalse();
  }

  @Test
  void a_drain_report_for_an_earlier_maintenance_is_ignored() throws Exception {
    start(config("10.0.0.2"), Map.of());
    fire("10.0.0.2");
    Admin first = monitor.setAdmin(id("10.0.0.2"), AdminState.MAINTENANCE, "test").orElseThrow();
    monitor.setAdmin(id("10.0.0.2"), AdminState.ENABLED, "test");
    clock.advance(Duration.ofSeconds(1));
    monitor.setAdmin(id("10.0.0.2"), AdminState.MAINTENANCE, "test");

    assertThat(monitor.markDrained(id("10.0.0.2"), first.since(), "late report")).isFalse();
    assertThat(view("10.0.0.2").admin().awaitingDrain()).isTrue();
  }

  @Test
  void maintenance_of_a_server_not_in_ipvs_is_drained_at_once_and_it_never_enters()
      throws Exception {
    start(config("10.0.0.2"), Map.of());
    // Never probed: UNKNOWN, out of IPVS.
    Admin m = monitor.setAdmin(id("10.0.0.2"), AdminState.MAINTENANCE, "test").orElseThrow();

    assertThat(m.drainedAt()).isPresent();
    fire("10.0.0.2");
    ServerView v = view("10.0.0.2");
    assertThat(v.health()).isEqualTo(Health.UP);
    assertThat(v.effectiveInIpvs()).isFalse();
    assertThat(gauge("10.0.0.2").weight()).isZero();
  }

  @Test
  void maintenance_ends_when_health_takes_the_server_out() throws Exception {
    LvsConfig noQuiesce =
        new io.lvspulse.config.LvsConfigParser()
            .parse(
                "test.cf",
                "network = direct\nvirtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n"
                    + " port = 69\n protocol = udp\n quiesce_server = 0\n timeout = 6\n"
                    + " send_program = \"/bin/true %h\"\n"
                    + HealthMonitorTest.server("a", "10.0.0.2")
                    + "}\n")
            .config();
    start(noQuiesce, Map.of());
    fire("10.0.0.2");
    monitor.setAdmin(id("10.0.0.2"), AdminState.MAINTENANCE, "test");
    probes.healthy.put("10.0.0.2", false);

    fire("10.0.0.2");

    assertThat(view("10.0.0.2").admin().drainedAt()).isPresent();
  }

  @Test
  void an_unknown_server_is_refused() throws Exception {
    start(config("10.0.0.2"), Map.of());
    assertThat(monitor.setAdmin(id("10.0.0.9"), AdminState.DRAIN, "test")).isEmpty();
  }

  @Test
  void restored_states_apply_to_servers_the_config_still_has_and_the_rest_is_dropped()
      throws Exception {
    Instant then = clock.instant().minus(Duration.ofHours(1));
    Admin drain = new Admin(AdminState.DRAIN, then, "alice", Optional.empty());
    Admin gone = new Admin(AdminState.MAINTENANCE, then, "bob", Optional.empty());

    start(config("10.0.0.2"), Map.of(id("10.0.0.2"), drain, id("10.0.0.7"), gone));

    assertThat(view("10.0.0.2").admin()).isEqualTo(drain);
    assertThat(monitor.adminStates()).containsOnlyKeys(id("10.0.0.2"));
    assertThat(gauge("10.0.0.2").admin()).isEqualTo(AdminState.DRAIN);
  }

  @Test
  void a_restored_maintenance_of_a_server_in_the_kernel_waits_for_the_drain() throws Exception {
    Instant then = clock.instant().minus(Duration.ofMinutes(1));
    Admin m = new Admin(AdminState.MAINTENANCE, then, "alice", Optional.empty());
    monitor = new HealthMonitor(probes, scheduler, clock, registry, published::add);
    monitor.start(
        config("10.0.0.2", "10.0.0.3"),
        (v, rs) -> OptionalInt.of(1),
        Map.of(id("10.0.0.2"), m, id("10.0.0.3"), m));
    monitor.awaitIdle();

    assertThat(view("10.0.0.2").admin().awaitingDrain()).isTrue();
    assertThat(view("10.0.0.2").effectiveInIpvs()).isTrue();
    assertThat(view("10.0.0.2").effectiveWeight()).isZero();
  }

  @Test
  void a_reload_that_removes_a_server_drops_its_admin_state() throws Exception {
    start(config("10.0.0.2", "10.0.0.3"), Map.of());
    monitor.setAdmin(id("10.0.0.3"), AdminState.DRAIN, "test");
    monitor.setAdmin(id("10.0.0.2"), AdminState.DRAIN, "test");

    monitor.reload(config("10.0.0.2"));

    assertThat(monitor.adminStates()).containsOnlyKeys(id("10.0.0.2"));
    monitor.reload(config("10.0.0.2", "10.0.0.3"));
    assertThat(view("10.0.0.3").admin().state())
        .as("back in the config: a new server, enabled")
        .isEqualTo(AdminState.ENABLED);
  }

  @Test
  void snapshots_carry_the_last_health_transitions_and_admin_changes_oldest_first()
      throws Exception {
    start(config("10.0.0.2"), Map.of());
    fire("10.0.0.2");
    monitor.setAdmin(id("10.0.0.2"), AdminState.DRAIN, "alice");

    List<ServerEvent> recent = monitor.snapshot().recent();

    assertThat(recent)
        .extracting(e -> e.kind() + " " + e.from() + "->" + e.to() + " " + e.reason())
        .containsExactly(
            "HEALTH unknown->up OK - answer from server", "ADMIN enabled->drain by alice");
  }

  @Test
  void only_the_last_events_are_kept() throws Exception {
    start(config("10.0.0.2"), Map.of());
    for (int i = 0; i < HealthMonitor.RECENT_EVENTS + 5; i++) {
      monitor.setAdmin(id("10.0.0.2"), i % 2 == 0 ? AdminState.DRAIN : AdminState.ENABLED, "t");
    }
    List<ServerEvent> recent = monitor.snapshot().recent();
    assertThat(recent).hasSize(HealthMonitor.RECENT_EVENTS);
    assertThat(recent.get(recent.size() - 1).to()).isEqualTo("drain");
  }
}
