package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.probe.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerStateMachineTest {
  private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");
  private Instant now = T0;

  private Instant advance(long seconds) {
    now = now.plusSeconds(seconds);
    return now;
  }

  /** Issue 9 item 3: a local fault (EMFILE) is no evidence that a server is down. */
  @Test
  void a_local_error_changes_nothing_not_even_the_consecutive_counts() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(2, 4, true, false), now);
    sm.onProbe(ProbeResult.Outcome.SUCCESS, "OK", advance(6));
    sm.onProbe(ProbeResult.Outcome.SUCCESS, "OK", advance(6));

    var t =
        sm.onProbe(
            ProbeResult.Outcome.LOCAL_ERROR,
            "Cannot open UDP socket: Too many open files",
            advance(6));

    assertThat(t).isEmpty();
    assertThat(sm.health()).isEqualTo(Health.UP);
    assertThat(sm.ipvsWeight()).isEqualTo(4);
    assertThat(sm.consecutiveSuccesses()).isEqualTo(2);
    assertThat(sm.consecutiveFailures()).isZero();
    assertThat(sm.onProbe(ProbeResult.Outcome.FAILURE, "timed out", advance(6)))
        .hasValueSatisfying(tr -> assertThat(tr.to()).isEqualTo(Health.DOWN));
  }

  @Test
  void a_server_is_out_of_ipvs_until_its_first_success_and_then_enters_at_once() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(2, 1, false, true), now);
    assertThat(sm.health()).isEqualTo(Health.UNKNOWN);
    assertThat(sm.inIpvs()).isFalse();

    var t = sm.onProbe(true, "OK - answer from server", advance(6));

    assertThat(t)
        .hasValueSatisfying(
            tr -> {
              assertThat(tr.from()).isEqualTo(Health.UNKNOWN);
              assertThat(tr.to()).isEqualTo(Health.UP);
              assertThat(tr.reason()).isEqualTo("OK - answer from server");
            });
    assertThat(sm.inIpvs()).isTrue();
    assertThat(sm.ipvsWeight()).isEqualTo(1);
  }

  @Test
  void one_failure_takes_an_up_server_out_and_without_quiesce_it_leaves_ipvs() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(2, 5, false, false), now);
    sm.onProbe(true, "ok", advance(6));

    var t = sm.onProbe(false, "Transfer timed out", advance(6));

    assertThat(t).map(Transition::to).contains(Health.DOWN);
    assertThat(sm.inIpvs()).isFalse();
    assertThat(sm.since()).isEqualTo(now);
  }

  @Test
  void quiesce_keeps_a_failed_server_at_weight_zero_only_after_it_was_added_once() {
    var neverAdded = new ServerStateMachine(HealthPolicy.piranha(2, 5, true, false), now);
    neverAdded.onProbe(false, "port unreachable", advance(6));
    assertThat(neverAdded.health()).isEqualTo(Health.DOWN);
    assertThat(neverAdded.inIpvs()).as("never added: nothing to quiesce").isFalse();

    var added = new ServerStateMachine(HealthPolicy.piranha(2, 5, true, false), now);
    added.onProbe(true, "ok", advance(6));
    added.onProbe(false, "Transfer timed out", advance(6));
    assertThat(added.inIpvs()).isTrue();
    assertThat(added.ipvsWeight()).isZero();
  }

  @Test
  void a_down_server_comes_back_after_the_reentry_count_of_consecutive_successes() {
    // The TFTP example: timeout 6, reentry 15 -> 2 consecutive successes.
    var sm = new ServerStateMachine(HealthPolicy.piranha(15 / 6, 1, true, true), now);
    sm.onProbe(true, "ok", advance(6));
    sm.onProbe(false, "timeout", advance(6));

    assertThat(sm.onProbe(true, "ok", advance(6))).isEmpty();
    assertThat(sm.health()).isEqualTo(Health.DOWN);
    assertThat(sm.onProbe(false, "timeout", advance(6))).isEmpty();
    assertThat(sm.onProbe(true, "ok", advance(6))).as("count restarted by the failure").isEmpty();
    assertThat(sm.onProbe(true, "ok", advance(6))).map(Transition::to).contains(Health.UP);
    assertThat(sm.ipvsWeight()).isEqualTo(1);
  }

  @Test
  void a_server_that_fails_from_the_start_needs_the_full_reentry_count() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(3, 1, false, true), now);
    sm.onProbe(false, "port unreachable", advance(6));
    assertThat(sm.onProbe(true, "ok", advance(6))).isEmpty();
    assertThat(sm.onProbe(true, "ok", advance(6))).isEmpty();
    assertThat(sm.onProbe(true, "ok", advance(6))).map(Transition::to).contains(Health.UP);
  }

  @Test
  void slow_start_ramps_as_nanny_does_from_weight_shifted_by_five_doubling_every_step() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(1, 100, false, true), now);
    sm.onProbe(true, "ok", now);
    List<Integer> weights = new ArrayList<>();
    weights.add(sm.ipvsWeight());
    for (int i = 0; i < 10; i++) {
      advance(20);
      if (sm.onTick(now)) {
        weights.add(sm.ipvsWeight());
      }
    }
    assertThat(weights).containsExactly(3, 6, 12, 24, 48, 96, 100);
  }

  @Test
  void ramp_does_not_step_before_the_step_has_passed() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(1, 64, false, true), now);
    sm.onProbe(true, "ok", now);
    assertThat(sm.ipvsWeight()).isEqualTo(2);
    assertThat(sm.onTick(advance(19))).isFalse();
    assertThat(sm.onTick(advance(1))).isTrue();
    assertThat(sm.ipvsWeight()).isEqualTo(4);
  }

  @Test
  void without_slow_start_a_server_enters_at_its_configured_weight() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(1, 100, false, false), now);
    sm.onProbe(true, "ok", now);
    assertThat(sm.ipvsWeight()).isEqualTo(100);
    assertThat(sm.onTick(advance(60))).isFalse();
  }

  @Test
  void weight_zero_is_kept_as_zero_and_never_ramps() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(1, 0, false, true), now);
    sm.onProbe(true, "ok", now);
    assertThat(sm.inIpvs()).isTrue();
    assertThat(sm.ipvsWeight()).isZero();
    assertThat(sm.onTick(advance(100))).isFalse();
  }

  @Test
  void a_failure_during_the_ramp_restarts_the_ramp_from_the_bottom_on_reentry() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(1, 64, true, true), now);
    sm.onProbe(true, "ok", now);
    sm.onTick(advance(20));
    sm.onTick(advance(20));
    assertThat(sm.ipvsWeight()).isEqualTo(8);
    sm.onProbe(false, "timeout", advance(1));
    assertThat(sm.ipvsWeight()).isZero();
    sm.onProbe(true, "ok", advance(6));
    assertThat(sm.ipvsWeight()).isEqualTo(2);
  }

  @Test
  void a_fall_threshold_above_one_needs_that_many_consecutive_failures() {
    var policy = new HealthPolicy(1, 3, 1, false, false, Duration.ofSeconds(20));
    var sm = new ServerStateMachine(policy, now);
    sm.onProbe(true, "ok", now);
    assertThat(sm.onProbe(false, "x", advance(1))).isEmpty();
    assertThat(sm.onProbe(true, "ok", advance(1))).isEmpty();
    assertThat(sm.onProbe(false, "x", advance(1))).isEmpty();
    assertThat(sm.onProbe(false, "x", advance(1))).isEmpty();
    assertThat(sm.onProbe(false, "x", advance(1))).map(Transition::to).contains(Health.DOWN);
  }

  @Test
  void reconfiguring_keeps_health_and_moves_to_the_new_weight() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(2, 10, false, false), now);
    sm.onProbe(true, "ok", now);
    sm.reconfigure(HealthPolicy.piranha(2, 4, false, false), advance(5));
    assertThat(sm.health()).isEqualTo(Health.UP);
    assertThat(sm.ipvsWeight()).isEqualTo(4);

    sm.reconfigure(HealthPolicy.piranha(2, 16, false, true), advance(5));
    assertThat(sm.ipvsWeight()).isEqualTo(4);
    assertThat(sm.onTick(advance(20))).isTrue();
    assertThat(sm.ipvsWeight()).isEqualTo(8);
  }

  @Test
  void consecutive_counters_saturate_instead_of_overflowing() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(1, 1, false, false), now);
    for (int i = 0; i < 5; i++) {
      sm.onProbe(true, "ok", advance(1));
    }
    assertThat(sm.consecutiveSuccesses()).isEqualTo(5);
    assertThat(sm.consecutiveFailures()).isZero();
  }

  // Regression (issue 8): a restart deleted every server and re-added it at its slow-start weight
  // once probed; an adopted server keeps the kernel's weight until its own first probe.

  @Test
  void a_server_adopted_at_full_weight_keeps_it_through_its_first_probe_without_slow_start() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(2, 32, true, true), now);
    sm.adopt(32);
    assertThat(sm.inIpvs()).isTrue();
    assertThat(sm.ipvsWeight()).isEqualTo(32);

    var t = sm.onProbe(true, "ok", advance(6));

    assertThat(t).map(Transition::to).contains(Health.UP);
    assertThat(sm.ipvsWeight()).isEqualTo(32);
    assertThat(sm.onTick(advance(60))).isFalse();
    assertThat(sm.ipvsWeight()).isEqualTo(32);
  }

  @Test
  void a_server_adopted_during_its_ramp_continues_the_ramp_from_the_kernels_weight() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(2, 32, true, true), now);
    sm.adopt(8);

    sm.onProbe(true, "ok", advance(6));
    assertThat(sm.ipvsWeight()).isEqualTo(8);
    sm.onTick(advance(60));

    assertThat(sm.ipvsWeight()).isEqualTo(16);
  }

  @Test
  void an_adopted_server_whose_first_probe_fails_is_quiesced_or_removed_like_an_up_one() {
    var quiescing = new ServerStateMachine(HealthPolicy.piranha(2, 1, true, true), now);
    var removing = new ServerStateMachine(HealthPolicy.piranha(2, 1, false, true), now);
    quiescing.adopt(1);
    removing.adopt(1);

    quiescing.onProbe(false, "Transfer timed out", advance(6));
    removing.onProbe(false, "Transfer timed out", now);

    assertThat(quiescing.health()).isEqualTo(Health.DOWN);
    assertThat(quiescing.inIpvs()).isTrue();
    assertThat(quiescing.ipvsWeight()).isZero();
    assertThat(removing.inIpvs()).isFalse();
  }

  @Test
  void a_server_adopted_at_weight_zero_enters_with_slow_start_when_it_answers() {
    var sm = new ServerStateMachine(HealthPolicy.piranha(2, 32, true, true), now);
    sm.adopt(0);
    assertThat(sm.inIpvs()).isTrue();
    assertThat(sm.ipvsWeight()).isZero();

    sm.onProbe(true, "ok", advance(6));

    assertThat(sm.ipvsWeight()).isEqualTo(1);
  }
}
