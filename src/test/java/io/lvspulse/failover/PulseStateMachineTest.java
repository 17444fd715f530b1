package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.failover.FailoverAction.Activate;
import io.lvspulse.failover.FailoverAction.Deactivate;
import io.lvspulse.failover.FailoverAction.Reannounce;
import io.lvspulse.failover.FailoverAction.SendHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * pulse's rules (docs/reference/piranha-behaviour.md §3.2) on a fake clock (keepalive 2 s, deadtime
 * 5 s, as Piranha's defaults).
 */
class PulseStateMachineTest {
  private static final Duration DEADTIME = Duration.ofSeconds(5);
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static PulseStateMachine machine(Role role) {
    return new PulseStateMachine(new PulseStateMachine.Settings(role, false, DEADTIME, false));
  }

  private static Instant at(double seconds) {
    return T0.plusMillis((long) (seconds * 1000));
  }

  @Test
  void a_director_starts_inactive_and_runs_its_deactivation_once() {
    PulseStateMachine m = machine(Role.PRIMARY);

    List<FailoverAction> a = m.start(T0);

    assertThat(a)
        .containsExactly(new Deactivate("starting: inactive until the partner is known", true));
    assertThat(m.active()).isFalse();
    assertThat(m.partner()).isEqualTo(PartnerState.UNKNOWN);
  }

  @Test
  void a_backup_whose_partner_is_silent_for_deadtime_becomes_active() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    m.onHeartbeat(at(1), HeartbeatState.RUNNING);

    assertThat(m.onTick(at(5.9))).isEmpty();
    List<FailoverAction> a = m.onTick(at(6));

    assertThat(a)
        .containsExactly(
            new Activate("partner silent for deadtime (5000 ms)"),
            new SendHeartbeat(HeartbeatState.RUNNING));
    assertThat(m.active()).isTrue();
    assertThat(m.partner()).isEqualTo(PartnerState.DEAD);
    assertThat(m.lastHeard()).contains(at(1));
  }

  @Test
  void every_valid_heartbeat_pushes_the_deadline() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    for (int s = 2; s <= 40; s += 2) {
      m.onHeartbeat(at(s), HeartbeatState.RUNNING);
      assertThat(m.onTick(at(s + 1.9))).isEmpty();
    }
    assertThat(m.active()).isFalse();
  }

  @Test
  void when_both_are_active_the_backup_sends_a_last_running_heartbeat_and_yields() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    m.onTick(at(5));
    assertThat(m.active()).isTrue();

    List<FailoverAction> a = m.onHeartbeat(at(7), HeartbeatState.RUNNING);

    assertThat(a)
        .containsExactly(
            new SendHeartbeat(HeartbeatState.RUNNING),
            new Deactivate("partner (primary) active", false),
            new SendHeartbeat(HeartbeatState.STOPPED));
    assertThat(m.active()).isFalse();
  }

  @Test
  void when_both_are_active_the_primary_stays_active_and_reannounces() {
    PulseStateMachine m = machine(Role.PRIMARY);
    m.start(T0);
    m.onTick(at(5));

    List<FailoverAction> a = m.onHeartbeat(at(7), HeartbeatState.RUNNING);

    assertThat(a)
        .containsExactly(new Reannounce("partner (backup) active too: re-announcing the VIPs"));
    assertThat(m.active()).isTrue();
  }

  @Test
  void a_restarted_primary_that_hears_the_active_backup_stays_inactive_no_failback() {
    PulseStateMachine primary = machine(Role.PRIMARY);
    primary.start(T0);
    for (int s = 1; s < 120; s += 2) {
      assertThat(primary.onHeartbeat(at(s), HeartbeatState.RUNNING)).isEmpty();
      assertThat(primary.onTick(at(s + 1))).isEmpty();
    }
    assertThat(primary.active()).isFalse();
    assertThat(primary.partner()).isEqualTo(PartnerState.RUNNING);
  }

  @Test
  void the_active_backup_that_hears_the_restarted_primary_stopped_stays_active() {
    PulseStateMachine backup = machine(Role.BACKUP);
    backup.start(T0);
    backup.onTick(at(5));

    assertThat(backup.onHeartbeat(at(10), HeartbeatState.STOPPED)).isEmpty();
    assertThat(backup.onTick(at(30))).isEmpty();
    assertThat(backup.active()).isTrue();
  }

  @Test
  void the_primary_activates_as_soon_as_it_hears_the_backup_stopped() {
    PulseStateMachine m = machine(Role.PRIMARY);
    m.start(T0);

    List<FailoverAction> a = m.onHeartbeat(at(0.5), HeartbeatState.STOPPED);

    assertThat(a)
        .containsExactly(
            new Activate("backup inactive"), new SendHeartbeat(HeartbeatState.RUNNING));
  }

  @Test
  void at_start_a_backup_that_only_hears_stopped_waits_deadtime_so_the_primary_wins_the_race() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);

    assertThat(m.onHeartbeat(at(0.5), HeartbeatState.STOPPED)).isEmpty();
    assertThat(m.onHeartbeat(at(2.5), HeartbeatState.STOPPED)).isEmpty();
    assertThat(m.onHeartbeat(at(4.5), HeartbeatState.STOPPED)).isEmpty();
    List<FailoverAction> a = m.onHeartbeat(at(5.5), HeartbeatState.STOPPED);

    assertThat(a)
        .containsExactly(
            new Activate("primary inactive for deadtime"),
            new SendHeartbeat(HeartbeatState.RUNNING));
  }

  @Test
  void a_backup_takes_over_at_once_when_the_running_primary_says_stopped() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    m.onHeartbeat(at(1), HeartbeatState.RUNNING);

    List<FailoverAction> a = m.onHeartbeat(at(3), HeartbeatState.STOPPED);

    assertThat(a)
        .containsExactly(
            new Activate("primary inactive"), new SendHeartbeat(HeartbeatState.RUNNING));
  }

  @Test
  void a_lone_primary_sends_nothing_and_activates_after_deadtime() {
    PulseStateMachine m =
        new PulseStateMachine(new PulseStateMachine.Settings(Role.PRIMARY, true, DEADTIME, false));
    m.start(T0);

    assertThat(m.onTick(at(4.99))).isEmpty();
    List<FailoverAction> a = m.onTick(at(5));

    assertThat(a.get(0))
        .isEqualTo(new Activate("no backup director (backup_active = 0): active after deadtime"));
    assertThat(m.partner()).isEqualTo(PartnerState.NONE);
  }

  @Test
  void a_director_with_a_link_down_does_not_become_active_and_takes_over_once_the_link_returns() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    m.onLocalHealth(at(1), Optional.of("link down: eth0"));

    assertThat(m.onTick(at(10))).isEmpty();
    assertThat(m.active()).isFalse();
    assertThat(m.partner()).isEqualTo(PartnerState.DEAD);

    List<FailoverAction> a = m.onLocalHealth(at(11), Optional.empty());
    assertThat(a.get(0)).isInstanceOf(Activate.class);
  }

  @Test
  void an_active_director_whose_link_goes_down_deactivates_and_says_stopped() {
    PulseStateMachine m = machine(Role.PRIMARY);
    m.start(T0);
    m.onHeartbeat(at(1), HeartbeatState.STOPPED);
    assertThat(m.active()).isTrue();

    List<FailoverAction> a = m.onLocalHealth(at(2), Optional.of("link down: eth1"));

    assertThat(a)
        .containsExactly(
            new Deactivate("link down: eth1", false), new SendHeartbeat(HeartbeatState.STOPPED));
    assertThat(m.ownState()).isEqualTo(HeartbeatState.STOPPED);
    assertThat(m.onHeartbeat(at(3), HeartbeatState.STOPPED)).isEmpty();
  }

  @Test
  void with_failback_the_primary_takes_over_after_hearing_the_backup_running_for_deadtime() {
    PulseStateMachine m =
        new PulseStateMachine(new PulseStateMachine.Settings(Role.PRIMARY, false, DEADTIME, true));
    m.start(T0);
    m.onHeartbeat(at(1), HeartbeatState.RUNNING);
    m.onHeartbeat(at(3), HeartbeatState.RUNNING);
    assertThat(m.onHeartbeat(at(5), HeartbeatState.RUNNING)).isEmpty();

    List<FailoverAction> a = m.onTick(at(6));

    assertThat(a.get(0)).isInstanceOf(Activate.class);
    assertThat(((Activate) a.get(0)).reason()).startsWith("failback");
  }

  @Test
  void with_failback_a_primary_with_a_link_problem_does_not_take_over() {
    PulseStateMachine m =
        new PulseStateMachine(new PulseStateMachine.Settings(Role.PRIMARY, false, DEADTIME, true));
    m.start(T0);
    m.onLocalHealth(at(0), Optional.of("link down: eth0"));
    for (int s = 1; s < 30; s += 2) {
      m.onHeartbeat(at(s), HeartbeatState.RUNNING);
    }
    assertThat(m.onTick(at(30))).isEmpty();
    assertThat(m.active()).isFalse();
  }

  @Test
  void a_partner_silent_after_a_run_of_heartbeats_is_declared_dead_even_while_we_are_active() {
    PulseStateMachine m = machine(Role.PRIMARY);
    m.start(T0);
    m.onHeartbeat(at(1), HeartbeatState.STOPPED);

    assertThat(m.onTick(at(7))).isEmpty();
    assertThat(m.partner()).isEqualTo(PartnerState.DEAD);
    assertThat(m.active()).isTrue();
  }

  @Test
  void an_active_director_with_a_local_problem_keeps_the_vips_while_the_partner_reports_one_too() {
    PulseStateMachine m = machine(Role.PRIMARY);
    m.start(T0);
    m.onHeartbeat(at(1), Heartbeat.reporting(HeartbeatState.STOPPED, Optional.of("ipvs: down")));
    assertThat(m.active()).isTrue();

    assertThat(m.onLocalHealth(at(2), Optional.of("ipvs: failing"))).isEmpty();
    assertThat(m.active()).isTrue();
    assertThat(m.lastReason()).startsWith("keeping the VIPs").contains("it reports: ipvs: down");
    assertThat(m.onHeartbeat(at(3), Heartbeat.reporting(HeartbeatState.STOPPED, Optional.of("x"))))
        .isEmpty();

    // the partner recovers: it can take over now
    List<FailoverAction> a =
        m.onHeartbeat(at(4), Heartbeat.reporting(HeartbeatState.STOPPED, Optional.empty()));
    assertThat(a)
        .containsExactly(
            new Deactivate("ipvs: failing", false), new SendHeartbeat(HeartbeatState.STOPPED));
  }

  @Test
  void an_active_director_with_a_local_problem_keeps_the_vips_when_the_partner_is_dead() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    m.onTick(at(5));
    assertThat(m.active()).isTrue(); // partner silent for deadtime

    assertThat(m.onLocalHealth(at(6), Optional.of("link down: eth0"))).isEmpty();
    assertThat(m.active()).isTrue();
    assertThat(m.partnerCanTakeOver()).isFalse();
    // a healthy partner appears (plain format: alive is enough): it can take over
    List<FailoverAction> a = m.onHeartbeat(at(7), HeartbeatState.STOPPED);
    assertThat(a).contains(new Deactivate("link down: eth0", false));
  }

  @Test
  void an_inactive_director_with_a_local_problem_never_activates() {
    PulseStateMachine m = machine(Role.PRIMARY);
    m.start(T0);
    m.onLocalHealth(at(1), Optional.of("ipvs: failing"));
    assertThat(m.onHeartbeat(at(2), HeartbeatState.STOPPED)).isEmpty();
    assertThat(m.onTick(at(20))).isEmpty();
    assertThat(m.active()).isFalse();
  }

  /** Issue 9 item 5: a flood of rejected datagrams makes silence suspect, for a bounded time. */
  @Test
  void silence_during_a_flood_of_rejected_datagrams_is_believed_only_after_three_deadtimes() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    m.onHeartbeat(at(1), HeartbeatState.RUNNING);
    for (int s = 2; s <= 15; s++) {
      m.onNoise(at(s), 5_000); // a flood
      assertThat(m.onTick(at(s + 0.5)))
          .as("no takeover %s s after the last heartbeat, during the flood", s - 0.5)
          .isEmpty();
      if (s + 0.5 >= 1 + 3 * 5) {
        break;
      }
    }
    assertThat(m.onTick(at(16))).contains(new SendHeartbeat(HeartbeatState.RUNNING));
    assertThat(m.active()).isTrue();
    assertThat(m.lastReason()).startsWith("partner silent");
  }

  @Test
  void a_trickle_of_rejected_datagrams_does_not_delay_a_takeover() {
    PulseStateMachine m = machine(Role.BACKUP);
    m.start(T0);
    m.onHeartbeat(at(1), HeartbeatState.RUNNING);
    m.onNoise(at(2), 10);
    m.onNoise(at(4), 10);
    m.onTick(at(6));
    assertThat(m.active()).isTrue();
  }
}
