package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.ProbeSource;
import io.lvspulse.testing.ManualScheduler;
import io.lvspulse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
  /** Each server answers what the test last set (default: healthy). */
  static final class FakeProbes implements ProbeSource {
    final Map<String, Boolean> healthy = new ConcurrentHashMap<>();
    final List<String> created = new CopyOnWriteArrayList<>();

    @Override
    public ConfiguredProbe create(ProbeSpec spec, RealServer rs) {
      String key = rs.address().getHostAddress();
      created.add(key + " " + spec.expect().orElse(""));
      return new ConfiguredProbe(
          "fake",
          "fake " + key + " expect=" + spec.expect().orElse(""),
          () ->
              CompletableFuture.completedFuture(
                  healthy.getOrDefault(key, true)
                      ? ProbeResult.ok("OK - answer from server", Duration.ofMillis(1))
                      : ProbeResult.failure(
                          FailureCause.TIMEOUT, "Transfer timed out", Duration.ofSeconds(6))));
    }
  }

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T00:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeProbes probes = new FakeProbes();
  private final List<MonitorSnapshot> published = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private HealthMonitor monitor;

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  static LvsConfig config(String servers, String extra) throws Exception {
    String text =
        "network = direct\n"
            + "virtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n fwmark = 1\n port = 69\n"
            + " protocol = udp\n persistent = 30\n quiesce_server = 1\n timeout = 6\n reentry = 15\n"
            + " send_program = \"/usr/local/bin/check_tftp --connect %h\"\n"
            + extra
            + servers
            + "}\n";
    return new LvsConfigParser().parse("test.cf", text).config();
  }

  static String server(String name, String addr) {
    return " server " + name + " {\n  address = " + addr + "\n  active = 1\n  weight = 1\n }\n";
  }

  private HealthMonitor start(LvsConfig cfg) {
    monitor = new HealthMonitor(probes, scheduler, clock, registry, published::add);
    monitor.start(cfg);
    monitor.awaitIdle(); // the start's snapshot is published by a task queued behind start
    return monitor;
  }

  private ServerView view(String addr) {
    return monitor.snapshot().servers().stream()
        .filter(v -> v.server().address().getHostAddress().equals(addr))
        .findFirst()
        .orElseThrow();
  }

  /** The server's entry in the monitor's live gauges, if it has one (at most one). */
  private Optional<ServerGauges.Server> gauge(String addr) {
    List<ServerGauges.Server> found = new ArrayList<>();
    monitor
        .serverGauges()
        .forEach(
            g -> {
              if (g.address().equals(addr)) {
                found.add(g);
              }
            });
    assertThat(found).as("gauges of %s", addr).hasSizeLessThanOrEqualTo(1);
    return found.stream().findFirst();
  }

  private void assertGauge(String addr, int up, int weight) {
    assertThat(gauge(addr))
        .as("gauges of %s", addr)
        .hasValueSatisfying(
            g -> {
              assertThat(g.up()).as("up").isEqualTo(up);
              assertThat(g.weight()).as("weight").isEqualTo(weight);
            });
  }

  private void fire(String addr) {
    ServerView v = view(addr);
    monitor.fireNow(v.id());
    monitor.awaitIdle();
  }

  /**
   * Issue 9 item 3: with the descriptors exhausted every probe failed with "Cannot open UDP socket:
   * Too many open files" and every server was quiesced. A local error keeps each server's state and
   * is reported as a local problem (snapshot, LocalHealth, metrics) until none came for the hold.
   */
  @Test
  void local_errors_keep_every_server_as_it_is_and_are_reported_as_a_local_problem()
      throws Exception {
    Map<String, ProbeResult> answer = new ConcurrentHashMap<>();
    ProbeSource local =
        (spec, rs) -> {
          String key = rs.address().getHostAddress();
          return new ConfiguredProbe(
              "fake",
              "fake " + key,
              () ->
                  CompletableFuture.completedFuture(
                      answer.getOrDefault(key, ProbeResult.ok("OK", Duration.ofMillis(1)))));
        };
    monitor = new HealthMonitor(local, scheduler, clock, registry, published::add);
    List<Optional<LocalProblem>> changes = new CopyOnWriteArrayList<>();
    monitor.onLocalProblemChange(changes::add);
    monitor.start(config(server("a", "10.0.0.2") + server("b", "10.0.0.3"), ""));
    fire("10.0.0.2");
    assertThat(view("10.0.0.2").health()).isEqualTo(Health.UP);

    ProbeResult emfile =
        ProbeResult.failure(
            FailureCause.IO_ERROR,
            new java.net.SocketException("Too many open files"),
            "Cannot open UDP socket: Too many open files",
            Duration.ZERO);
    answer.put("10.0.0.2", emfile);
    answer.put("10.0.0.3", emfile);
    fire("10.0.0.2");
    fire("10.0.0.3");
    fire("10.0.0.2");

    assertThat(emfile.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(view("10.0.0.2").health()).isEqualTo(Health.UP);
    assertThat(view("10.0.0.2").weight()).isEqualTo(1);
    assertThat(view("10.0.0.3").health()).isEqualTo(Health.UNKNOWN);
    assertGauge("10.0.0.2", 1, 1);
    MonitorSnapshot s = monitor.snapshot();
    assertThat(s.localProblem())
        .hasValueSatisfying(
            p -> {
              assertThat(p.reason()).contains("Too many open files");
              assertThat(p.errors()).isEqualTo(3);
            });
    assertThat(monitor.localProblem()).isPresent();
    assertThat(registry.get(HealthMonitor.LOCAL_ERRORS).counter().count()).isEqualTo(3);
    assertThat(registry.get(HealthMonitor.LOCAL_PROBLEM).gauge().value()).isEqualTo(1);
    assertThat(published.get(published.size() - 1).localProblem()).isPresent();

    // the fault is over: after the hold (2 x the 6 s interval, at least 10 s) it ends
    answer.clear();
    fire("10.0.0.2");
    clock.advance(Duration.ofSeconds(11));
    monitor.tickNow();
    assertThat(monitor.localProblem()).as("11 s < the 12 s hold").isPresent();
    clock.advance(Duration.ofSeconds(2));
    monitor.tickNow();
    monitor.awaitIdle();
    assertThat(monitor.localProblem()).isEmpty();
    assertThat(registry.get(HealthMonitor.LOCAL_PROBLEM).gauge().value()).isZero();
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1)).isEmpty();
    assertThat(published.get(published.size() - 1).localProblem()).isEmpty();
  }

  /** Regression (issue 8): the first snapshot after a restart holds what the kernel holds. */
  @Test
  void servers_found_in_the_kernel_at_start_are_in_the_first_snapshot_at_the_kernels_weight()
      throws Exception {
    LvsConfig cfg = config(server("a", "10.0.0.2") + server("b", "10.0.0.3"), "");
    monitor = new HealthMonitor(probes, scheduler, clock, registry, published::add);
    monitor.start(
        cfg,
        (v, rs) ->
            rs.name().equals("a") ? java.util.OptionalInt.of(1) : java.util.OptionalInt.empty());
    monitor.awaitIdle();

    MonitorSnapshot first = published.get(0);
    ServerView a = first.servers().get(0);
    ServerView b = first.servers().get(1);
    assertThat(a.inIpvs()).isTrue();
    assertThat(a.weight()).isEqualTo(1);
    assertThat(a.health()).isEqualTo(Health.UNKNOWN);
    assertThat(b.inIpvs()).isFalse();
    assertGauge("10.0.0.2", 0, 1);
  }

  @Test
  void
      every_active_server_gets_one_schedule_at_the_timeout_interval_with_first_runs_spread_over_it()
          throws Exception {
    start(config(server("a", "10.0.0.2") + server("b", "10.0.0.3") + server("c", "10.0.0.4"), ""));
    assertThat(scheduler.intervals)
        .hasSize(3)
        .allSatisfy((k, v) -> assertThat(v).isEqualTo(Duration.ofSeconds(6)));
    assertThat(new ArrayList<>(scheduler.delays.values()))
        .containsExactlyInAnyOrder(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(4));
  }

  @Test
  void
      a_server_enters_on_its_first_success_quiesces_on_one_failure_and_returns_after_the_reentry_count()
          throws Exception {
    start(config(server("a", "10.0.0.2"), ""));
    assertThat(view("10.0.0.2").inIpvs()).isFalse();

    fire("10.0.0.2");
    assertThat(view("10.0.0.2").health()).isEqualTo(Health.UP);
    assertThat(view("10.0.0.2").weight()).isEqualTo(1);

    probes.healthy.put("10.0.0.2", false);
    clock.advance(Duration.ofSeconds(6));
    fire("10.0.0.2");
    ServerView down = view("10.0.0.2");
    assertThat(down.health()).isEqualTo(Health.DOWN);
    assertThat(down.inIpvs()).as("quiesced").isTrue();
    assertThat(down.weight()).isZero();
    assertThat(down.lastResult())
        .hasValueSatisfying(r -> assertThat(r.message()).isEqualTo("Transfer timed out"));
    assertGauge("10.0.0.2", 0, 0);

    probes.healthy.put("10.0.0.2", true);
    fire("10.0.0.2");
    assertThat(view("10.0.0.2").health())
        .as("reentry 15 / timeout 6 = 2 successes")
        .isEqualTo(Health.DOWN);
    fire("10.0.0.2");
    assertThat(view("10.0.0.2").health()).isEqualTo(Health.UP);

    assertThat(registry.get(HealthMonitor.TRANSITIONS).tag("to", "down").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(HealthMonitor.TRANSITIONS).tag("to", "up").counter().count())
        .isEqualTo(2);
    assertGauge("10.0.0.2", 1, 1);
    assertThat(gauge("10.0.0.2"))
        .hasValueSatisfying(
            g ->
                assertThat(List.of(g.virtual(), g.server(), g.address(), g.port()))
                    .containsExactly("tftp", "a", "10.0.0.2", "69"));
    assertThat(registry.find(HealthMonitor.UP).meters()).as("no per-server meters").isEmpty();
    assertThat(registry.find(HealthMonitor.WEIGHT).meters()).as("no per-server meters").isEmpty();
    assertThat(registry.get(HealthMonitor.PROBES).tag("result", "timeout").counter().count())
        .isEqualTo(1);
  }

  @Test
  void the_listener_hears_of_every_change_that_matters_to_ipvs_but_not_of_unchanged_probes()
      throws Exception {
    start(config(server("a", "10.0.0.2"), ""));
    int afterStart = published.size();
    fire("10.0.0.2");
    assertThat(published).hasSize(afterStart + 1);
    fire("10.0.0.2");
    fire("10.0.0.2");
    assertThat(published)
        .as("healthy again and again: nothing to reprogram")
        .hasSize(afterStart + 1);
  }

  @Test
  void a_reload_keeps_the_state_of_unchanged_servers_and_adds_new_ones() throws Exception {
    start(config(server("a", "10.0.0.2"), ""));
    fire("10.0.0.2");
    monitor.reload(config(server("a", "10.0.0.2") + server("b", "10.0.0.3"), ""));
    assertThat(view("10.0.0.2").health()).isEqualTo(Health.UP);
    assertThat(view("10.0.0.3").health()).isEqualTo(Health.UNKNOWN);
    assertThat(scheduler.intervals).containsKeys("tftp/10.0.0.2:69", "tftp/10.0.0.3:69");
  }

  @Test
  void a_reload_that_changes_the_check_keeps_state_but_replaces_the_probe() throws Exception {
    start(config(server("a", "10.0.0.2"), ""));
    fire("10.0.0.2");
    int created = probes.created.size();
    monitor.reload(config(server("a", "10.0.0.2"), " expect = \"OK - answer from server\"\n"));
    assertThat(probes.created.size()).isGreaterThan(created);
    assertThat(view("10.0.0.2").health()).isEqualTo(Health.UP);
    assertThat(view("10.0.0.2").probe()).contains("OK - answer from server");
  }

  @Test
  void a_server_removed_by_reload_drains_at_weight_zero_until_the_persistence_time_then_goes()
      throws Exception {
    start(config(server("a", "10.0.0.2") + server("b", "10.0.0.3"), ""));
    fire("10.0.0.2");
    fire("10.0.0.3");
    monitor.reload(config(server("a", "10.0.0.2"), ""));
    ServerView d = view("10.0.0.3");
    assertThat(d.draining()).isTrue();
    assertThat(d.inIpvs()).isTrue();
    assertThat(d.weight()).isZero();
    assertThat(d.drainUntil()).contains(clock.instant().plusSeconds(30));
    assertGauge("10.0.0.3", 0, 0);
    assertGauge("10.0.0.2", 1, 1);
    assertThat(scheduler.intervals).doesNotContainKey("tftp/10.0.0.3:69");

    clock.advance(Duration.ofSeconds(29));
    monitor.tickNow();
    assertThat(monitor.snapshot().servers()).hasSize(2);
    clock.advance(Duration.ofSeconds(1));
    monitor.tickNow();
    assertThat(monitor.snapshot().servers())
        .extracting(v -> v.server().address().getHostAddress())
        .containsExactly("10.0.0.2");
    assertThat(gauge("10.0.0.3")).as("its gauges are removed").isEmpty();
    assertGauge("10.0.0.2", 1, 1);
  }

  @Test
  void a_server_that_was_never_in_ipvs_is_deleted_at_once_when_removed() throws Exception {
    start(config(server("a", "10.0.0.2") + server("b", "10.0.0.3"), ""));
    monitor.reload(config(server("a", "10.0.0.2"), ""));
    assertThat(monitor.snapshot().servers()).hasSize(1);
  }

  @Test
  void slow_start_ticks_ramp_the_weight_and_publish_each_step() throws Exception {
    start(config(" server big {\n  address = 10.0.0.9\n  active = 1\n  weight = 64\n }\n", ""));
    fire("10.0.0.9");
    assertThat(view("10.0.0.9").weight()).isEqualTo(2);
    int before = published.size();
    clock.advance(Duration.ofSeconds(20));
    monitor.tickNow();
    assertThat(view("10.0.0.9").weight()).isEqualTo(4);
    assertThat(published.size()).isEqualTo(before + 1);
  }

  @Test
  void slow_start_zero_enters_at_full_weight() throws Exception {
    start(
        config(
            " server big {\n  address = 10.0.0.9\n  active = 1\n  weight = 64\n }\n",
            " slow_start = 0\n"));
    fire("10.0.0.9");
    assertThat(view("10.0.0.9").weight()).isEqualTo(64);
  }

  @Test
  void a_probe_that_throws_is_a_failure_not_a_crash() throws Exception {
    ProbeSource throwing =
        (spec, rs) ->
            new ConfiguredProbe(
                "fake",
                "throwing",
                () -> {
                  throw new IllegalStateException("boom");
                });
    monitor = new HealthMonitor(throwing, scheduler, clock, registry, published::add);
    monitor.start(config(server("a", "10.0.0.2"), ""));
    fire("10.0.0.2");
    ServerView v = view("10.0.0.2");
    assertThat(v.health()).isEqualTo(Health.DOWN);
    assertThat(v.lastResult())
        .hasValueSatisfying(r -> assertThat(r.cause()).contains(FailureCause.IO_ERROR));
  }
}
