package io.lvspulse.announce;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.announce.AnnounceController.VipHealth;
import io.lvspulse.announce.RoutingState.RouteState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnnounceControllerTest {
  static final VipRoute A = VipRoute.of(BirdAnnouncerTest.addr("203.0.113.10"));
  static final VipRoute B = VipRoute.of(BirdAnnouncerTest.addr("203.0.113.11"));
  static final VipHealth OK = new VipHealth(true, true, 2, 2);
  static final VipHealth NONE_UP = new VipHealth(true, true, 0, 2);

  /** An in-memory routing daemon. */
  static final class FakeRouter implements Announcer {
    final Map<VipRoute, RouteState> routes = new ConcurrentHashMap<>();
    final List<String> calls = new ArrayList<>();
    volatile boolean down;
    volatile boolean established = true;

    @Override
    public String describe() {
      return "fake";
    }

    @Override
    public RoutingState state(Collection<VipRoute> asked) throws AnnounceException {
      if (down) {
        throw new AnnounceException("BIRD control socket /x: Connection refused");
      }
      Map<VipRoute, RouteState> m = new LinkedHashMap<>();
      for (VipRoute r : asked) {
        m.put(r, routes.getOrDefault(r, RouteState.MISSING));
      }
      return new RoutingState(
          m,
          List.of(
              new RoutingState.Session("r1", established, established ? "Established" : "Active")));
    }

    @Override
    public void announce(VipRoute r) throws AnnounceException {
      change(r, "enable", RouteState.ANNOUNCED);
    }

    @Override
    public void withdraw(VipRoute r) throws AnnounceException {
      change(r, "disable", RouteState.WITHDRAWN);
    }

    private void change(VipRoute r, String verb, RouteState to) throws AnnounceException {
      if (down) {
        throw new AnnounceException("down");
      }
      if (!routes.containsKey(r)) {
        throw new AnnounceException("BIRD has no protocol " + r.protocol());
      }
      calls.add(verb + " " + r.protocol());
      routes.put(r, to);
    }

    /** A BIRD restart: every VIP protocol disabled, as bird.conf declares them. */
    void restart() {
      routes.replaceAll((k, v) -> RouteState.WITHDRAWN);
    }

    @Override
    public void close() {}
  }

  static final class Clock implements InstantSource {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  final FakeRouter router = new FakeRouter();
  final Clock clock = new Clock();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Map<InetAddress, VipHealth> health = new ConcurrentHashMap<>();
  AnnounceController controller;

  AnnounceController controller(List<VipRoute> routes, int rise, int fall) {
    for (VipRoute r : routes) {
      router.routes.putIfAbsent(r, RouteState.WITHDRAWN);
    }
    controller =
        new AnnounceController(
            router,
            new AnnouncePolicy.Settings(Duration.ofSeconds(1), rise, fall, 1),
            routes,
            () -> Map.copyOf(health),
            clock,
            registry);
    return controller;
  }

  @AfterEach
  void close() {
    if (controller != null) {
      controller.close();
    }
  }

  void ticks(int n) {
    for (int i = 0; i < n; i++) {
      controller.tick();
      clock.advance(Duration.ofSeconds(1));
    }
  }

  double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  AnnounceController.VipStatus status(VipRoute r) {
    return controller.status().vips().stream()
        .filter(v -> v.route().equals(r))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void a_healthy_vip_is_announced_after_the_rise_time_and_the_metrics_say_so() {
    controller(List.of(A), 2, 2);
    health.put(A.vip(), OK);
    controller.tick();
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    assertThat(gauge("lvs_pulse_vip_announced", "vip", "203.0.113.10")).isZero();
    clock.advance(Duration.ofSeconds(1));
    controller.tick();
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
    assertThat(router.calls).containsExactly("enable vip_203_0_113_10");
    assertThat(gauge("lvs_pulse_vip_announced", "vip", "203.0.113.10")).isEqualTo(1);
    assertThat(gauge("lvs_pulse_vip_announce_reason", "vip", "203.0.113.10", "reason", "healthy"))
        .isEqualTo(1);
    assertThat(
            gauge("lvs_pulse_vip_announce_reason", "vip", "203.0.113.10", "reason", "below_quorum"))
        .isZero();
    assertThat(gauge("lvs_pulse_bgp_sessions_established")).isEqualTo(1);
    assertThat(status(A).desired()).isTrue();
    assertThat(status(A).routed()).isEqualTo(RouteState.ANNOUNCED);
  }

  @Test
  void a_vip_with_no_server_up_is_withdrawn_after_the_fall_time() {
    controller(List.of(A), 1, 3);
    health.put(A.vip(), OK);
    ticks(1);
    health.put(A.vip(), NONE_UP);
    ticks(2);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
    ticks(1);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    assertThat(status(A).reason()).isEqualTo(AnnouncePolicy.Reason.BELOW_QUORUM);
    assertThat(
            gauge("lvs_pulse_vip_announce_reason", "vip", "203.0.113.10", "reason", "below_quorum"))
        .isEqualTo(1);
  }

  @Test
  void a_restarted_bird_is_converged_back_at_the_next_tick() {
    controller(List.of(A, B), 1, 1);
    health.put(A.vip(), OK);
    health.put(B.vip(), OK);
    ticks(1);
    assertThat(router.routes)
        .containsEntry(A, RouteState.ANNOUNCED)
        .containsEntry(B, RouteState.ANNOUNCED);
    router.down = true;
    ticks(3);
    assertThat(controller.status().routerError())
        .hasValueSatisfying(e -> assertThat(e).contains("Connection refused"));
    assertThat(gauge("lvs_pulse_announce_router_up")).isZero();
    router.restart();
    router.down = false;
    ticks(1);
    assertThat(router.routes)
        .containsEntry(A, RouteState.ANNOUNCED)
        .containsEntry(B, RouteState.ANNOUNCED);
    assertThat(controller.status().routerError()).isEmpty();
    assertThat(gauge("lvs_pulse_announce_router_up")).isEqualTo(1);
  }

  @Test
  void what_an_earlier_instance_left_announced_is_withdrawn_at_start() {
    router.routes.put(A, RouteState.ANNOUNCED);
    controller(List.of(A), 2, 2);
    controller.tick();
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    assertThat(status(A).reason()).isEqualTo(AnnouncePolicy.Reason.IPVS_NOT_PROGRAMMED);
  }

  @Test
  void a_lost_bgp_session_withdraws_after_the_fall_time_and_its_return_announces_again() {
    controller(List.of(A), 1, 2);
    health.put(A.vip(), OK);
    ticks(1);
    router.established = false;
    ticks(2);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    assertThat(status(A).reason()).isEqualTo(AnnouncePolicy.Reason.NO_BGP_SESSION);
    router.established = true;
    ticks(1);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
  }

  @Test
  void withdraw_all_withdraws_every_vip_at_once_and_for_good() {
    controller(List.of(A, B), 1, 5);
    health.put(A.vip(), OK);
    health.put(B.vip(), OK);
    ticks(1);
    assertThat(router.routes)
        .containsEntry(A, RouteState.ANNOUNCED)
        .containsEntry(B, RouteState.ANNOUNCED);
    assertThat(controller.withdrawAll(Duration.ofSeconds(5))).isTrue();
    assertThat(router.routes)
        .containsEntry(A, RouteState.WITHDRAWN)
        .containsEntry(B, RouteState.WITHDRAWN);
    assertThat(status(A).reason()).isEqualTo(AnnouncePolicy.Reason.STOPPING);
    controller.tick();
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
  }

  @Test
  void withdraw_all_reports_failure_when_bird_is_down() {
    controller(List.of(A), 1, 5);
    health.put(A.vip(), OK);
    controller.tick();
    router.down = true;
    assertThat(controller.withdrawAll(Duration.ofSeconds(5))).isFalse();
  }

  @Test
  void a_drain_withdraws_at_once_and_its_end_announces_after_the_rise_time() {
    controller(List.of(A), 2, 5);
    health.put(A.vip(), OK);
    ticks(2);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
    controller.setDrained(true, Duration.ofSeconds(5));
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    assertThat(status(A).reason()).isEqualTo(AnnouncePolicy.Reason.DRAINED);
    assertThat(controller.status().drained()).isTrue();
    ticks(3);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    controller.setDrained(false, Duration.ofSeconds(5));
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    clock.advance(Duration.ofSeconds(1));
    controller.tick();
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
  }

  @Test
  void a_vip_missing_from_bird_conf_is_an_error_in_the_status_and_others_still_work() {
    controller(List.of(A, B), 1, 1);
    router.routes.remove(B);
    health.put(A.vip(), OK);
    health.put(B.vip(), OK);
    controller.tick();
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
    assertThat(status(B).routed()).isEqualTo(RouteState.MISSING);
    assertThat(status(B).error())
        .hasValueSatisfying(e -> assertThat(e).contains("BIRD has no protocol vip_203_0_113_11"));
  }

  @Test
  void a_vip_that_leaves_the_config_is_withdrawn_then_forgotten_with_its_meters() {
    controller(List.of(A, B), 1, 1);
    health.put(A.vip(), OK);
    health.put(B.vip(), OK);
    controller.start();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> router.routes.get(B) == RouteState.ANNOUNCED);
    controller.reconfigure(List.of(A), new AnnouncePolicy.Settings(Duration.ofSeconds(1), 1, 1, 1));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                router.routes.get(B) == RouteState.WITHDRAWN
                    && controller.status().vips().size() == 1);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
    assertThat(registry.find("lvs_pulse_vip_announced").tag("vip", "203.0.113.11").gauge())
        .isNull();
  }

  @Test
  void a_watched_drain_flag_drains_at_the_next_tick_and_its_removal_undrains() {
    controller(List.of(A), 1, 5);
    java.util.concurrent.atomic.AtomicBoolean flag =
        new java.util.concurrent.atomic.AtomicBoolean();
    controller.watchDrain(flag::get);
    health.put(A.vip(), OK);
    ticks(1);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
    flag.set(true);
    ticks(1);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.WITHDRAWN);
    assertThat(controller.status().drained()).isTrue();
    flag.set(false);
    ticks(1);
    assertThat(router.routes.get(A)).isEqualTo(RouteState.ANNOUNCED);
    assertThat(controller.status().drained()).isFalse();
  }
}
