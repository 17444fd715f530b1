package io.lvspulse.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.announce.AnnouncePolicy.Decision;
import io.lvspulse.announce.AnnouncePolicy.Inputs;
import io.lvspulse.announce.AnnouncePolicy.Reason;
import io.lvspulse.announce.AnnouncePolicy.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AnnouncePolicyTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration SEC = Duration.ofSeconds(1);

  static final Inputs HEALTHY = new Inputs(true, true, 3, 3, true, false, false);
  static final Inputs NO_SERVERS = new Inputs(true, true, 0, 3, true, false, false);
  static final Inputs DRAINED = new Inputs(true, true, 3, 3, true, true, false);
  static final Inputs STOPPING = new Inputs(true, true, 3, 3, true, false, true);

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  static AnnouncePolicy policy(int rise, int fall) {
    return new AnnouncePolicy(new Settings(SEC, rise, fall, 1));
  }

  /** Evaluates healthy at 0, 1, ... until announced; returns that second. */
  static long announceAfterHealthy(AnnouncePolicy p, long from) {
    for (long s = from; s < from + 100; s++) {
      if (p.evaluate(at(s), HEALTHY).announce()) {
        return s;
      }
    }
    throw new AssertionError("never announced");
  }

  @Test
  void it_starts_withdrawn_and_announces_after_rise_healthy_evaluations() {
    AnnouncePolicy p = policy(3, 2);
    Decision d0 = p.evaluate(at(0), HEALTHY);
    assertThat(d0.announce()).isFalse();
    assertThat(d0.reason()).isEqualTo(Reason.HEALTHY);
    assertThat(d0.detail()).startsWith("rising: healthy since " + at(0)).contains("at " + at(2));
    assertThat(p.evaluate(at(1), HEALTHY).announce()).isFalse();
    Decision d2 = p.evaluate(at(2), HEALTHY);
    assertThat(d2)
        .isEqualTo(
            new Decision(
                true,
                Reason.HEALTHY,
                "announced: 3 of 3 real servers up, BGP session established",
                true));
    Decision d3 = p.evaluate(at(3), HEALTHY);
    assertThat(d3.announce()).isTrue();
    assertThat(d3.changed()).isFalse();
  }

  @Test
  void rise_1_announces_at_the_first_healthy_evaluation() {
    AnnouncePolicy p = policy(1, 1);
    Decision d = p.evaluate(at(0), HEALTHY);
    assertThat(d.announce()).isTrue();
    assertThat(d.changed()).isTrue();
  }

  @Test
  void an_unhealthy_evaluation_while_rising_restarts_the_rise_time() {
    AnnouncePolicy p = policy(3, 1);
    p.evaluate(at(0), HEALTHY);
    p.evaluate(at(1), HEALTHY);
    assertThat(p.evaluate(at(2), NO_SERVERS).announce()).isFalse();
    assertThat(announceAfterHealthy(p, 3)).isEqualTo(5);
  }

  @Test
  void it_withdraws_after_fall_unhealthy_evaluations_and_says_so_while_falling() {
    AnnouncePolicy p = policy(1, 3);
    p.evaluate(at(0), HEALTHY);
    Decision f1 = p.evaluate(at(10), NO_SERVERS);
    assertThat(f1.announce()).isTrue();
    assertThat(f1.reason()).isEqualTo(Reason.BELOW_QUORUM);
    assertThat(f1.detail())
        .isEqualTo(
            "falling: 0 of 3 real servers up, below announce_quorum = 1; withdrawing at "
                + at(12)
                + " unless it heals (announce_fall = 3)");
    assertThat(p.evaluate(at(11), NO_SERVERS).announce()).isTrue();
    Decision w = p.evaluate(at(12), NO_SERVERS);
    assertThat(w)
        .isEqualTo(
            new Decision(
                false,
                Reason.BELOW_QUORUM,
                "withdrawn: 0 of 3 real servers up, below announce_quorum = 1",
                true));
    Decision still = p.evaluate(at(13), NO_SERVERS);
    assertThat(still.announce()).isFalse();
    assertThat(still.changed()).isFalse();
  }

  @Test
  void a_flap_shorter_than_the_fall_time_changes_nothing() {
    AnnouncePolicy p = policy(1, 3);
    p.evaluate(at(0), HEALTHY);
    for (int i = 0; i < 20; i++) {
      Inputs in = i % 3 == 2 ? HEALTHY : NO_SERVERS; // two bad, one good, ...
      Decision d = p.evaluate(at(1 + i), in);
      assertThat(d.announce()).as("evaluation %d", i).isTrue();
      assertThat(d.changed()).isFalse();
    }
  }

  @Test
  void the_fall_time_is_measured_on_the_clock_not_in_evaluations() {
    // Extra evaluations (state-change events between ticks) do not make it withdraw sooner.
    AnnouncePolicy p = policy(1, 3);
    p.evaluate(at(0), HEALTHY);
    Instant bad = at(5);
    for (int ms = 0; ms < 2000; ms += 100) {
      assertThat(p.evaluate(bad.plusMillis(ms), NO_SERVERS).announce()).as("+%d ms", ms).isTrue();
    }
    assertThat(p.evaluate(bad.plusSeconds(2), NO_SERVERS).announce()).isFalse();
  }

  @Test
  void a_drain_withdraws_at_once_and_undraining_rises_again() {
    AnnouncePolicy p = policy(2, 5);
    assertThat(announceAfterHealthy(p, 0)).isEqualTo(1);
    Decision d = p.evaluate(at(2), DRAINED);
    assertThat(d)
        .isEqualTo(new Decision(false, Reason.DRAINED, "withdrawn: the director is drained", true));
    assertThat(p.evaluate(at(3), DRAINED).changed()).isFalse();
    assertThat(announceAfterHealthy(p, 4)).isEqualTo(5);
  }

  @Test
  void stopping_withdraws_at_once_and_for_good() {
    AnnouncePolicy p = policy(1, 5);
    p.evaluate(at(0), HEALTHY);
    Decision d = p.evaluate(at(1), STOPPING);
    assertThat(d)
        .isEqualTo(
            new Decision(false, Reason.STOPPING, "withdrawn: the director is stopping", true));
    for (int s = 2; s < 10; s++) {
      Decision later = p.evaluate(at(s), HEALTHY);
      assertThat(later.announce()).isFalse();
      assertThat(later.reason()).isEqualTo(Reason.STOPPING);
    }
  }

  @Test
  void stopping_wins_over_a_drain_and_a_drain_over_every_health_problem() {
    AnnouncePolicy p = policy(1, 1);
    assertThat(p.evaluate(at(0), new Inputs(false, false, 0, 3, false, true, false)).reason())
        .isEqualTo(Reason.DRAINED);
    assertThat(p.evaluate(at(1), new Inputs(false, false, 0, 3, false, true, true)).reason())
        .isEqualTo(Reason.STOPPING);
  }

  /** Every combination of the four health conditions: the first failing one is the reason. */
  static List<boolean[]> conditions() {
    List<boolean[]> out = new ArrayList<>();
    for (int m = 0; m < 16; m++) {
      out.add(new boolean[] {(m & 1) != 0, (m & 2) != 0, (m & 4) != 0, (m & 8) != 0});
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("conditions")
  void the_reason_is_the_first_failing_condition_in_order_ipvs_probes_quorum_bgp(boolean[] c) {
    AnnouncePolicy p = new AnnouncePolicy(new Settings(SEC, 1, 1, 2));
    Inputs in = new Inputs(c[0], c[1], c[2] ? 2 : 1, 3, c[3], false, false);
    Decision d = p.evaluate(at(0), in);
    Reason expected =
        !c[0]
            ? Reason.IPVS_NOT_PROGRAMMED
            : !c[1]
                ? Reason.FIRST_PROBE_ROUND
                : !c[2] ? Reason.BELOW_QUORUM : !c[3] ? Reason.NO_BGP_SESSION : Reason.HEALTHY;
    assertThat(d.reason()).isEqualTo(expected);
    assertThat(d.announce()).isEqualTo(expected == Reason.HEALTHY);
  }

  @Test
  void the_quorum_counts_servers_up_in_the_weakest_virtual_service() {
    AnnouncePolicy p = new AnnouncePolicy(new Settings(SEC, 1, 1, 2));
    assertThat(p.evaluate(at(0), new Inputs(true, true, 1, 4, true, false, false)).reason())
        .isEqualTo(Reason.BELOW_QUORUM);
    assertThat(p.evaluate(at(1), new Inputs(true, true, 2, 4, true, false, false)).announce())
        .isTrue();
  }

  @Test
  void settings_are_validated() {
    assertThatThrownBy(() -> new Settings(Duration.ZERO, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Settings(SEC, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Settings(SEC, 1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Settings(SEC, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * With one evaluation per interval, the clock-driven policy equals the textbook counting model
   * (announce after {@code rise} healthy in a row, withdraw after {@code fall} unhealthy in a row;
   * drained or stopping withdraw at once). 2,000 random runs of 200 evaluations; the seed is
   * printed so a failure can be replayed.
   */
  static LongStream seeds() {
    long base = new Random().nextLong();
    System.out.println("AnnouncePolicyTest seed base: " + base);
    return LongStream.range(0, 2000).map(i -> base + i);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void with_one_evaluation_per_interval_it_matches_the_counting_model(long seed) {
    Random r = new Random(seed);
    int rise = 1 + r.nextInt(4);
    int fall = 1 + r.nextInt(4);
    int quorum = 1 + r.nextInt(3);
    Duration interval = Duration.ofMillis(100 + r.nextInt(2000));
    AnnouncePolicy p = new AnnouncePolicy(new Settings(interval, rise, fall, quorum));
    boolean modelAnnounced = false;
    boolean stopped = false;
    int good = 0;
    int bad = 0;
    double pBad = r.nextDouble();
    for (int i = 0; i < 200; i++) {
      boolean ipvs = r.nextDouble() > pBad / 4;
      boolean probed = i > 2 || r.nextBoolean();
      int up = r.nextDouble() < pBad ? r.nextInt(quorum + 1) : quorum + r.nextInt(3);
      boolean bgp = r.nextDouble() > pBad / 4;
      boolean drained = r.nextDouble() < 0.03;
      boolean stopping = r.nextDouble() < 0.002;
      Inputs in = new Inputs(ipvs, probed, up, 5, bgp, drained, stopping);
      // the model
      boolean was = modelAnnounced;
      if (stopping || stopped) {
        stopped = true;
        modelAnnounced = false;
        good = 0;
        bad = 0;
      } else if (drained) {
        modelAnnounced = false;
        good = 0;
        bad = 0;
      } else if (ipvs && probed && up >= quorum && bgp) {
        bad = 0;
        good++;
        if (!modelAnnounced && good >= rise) {
          modelAnnounced = true;
        }
      } else {
        good = 0;
        bad++;
        if (modelAnnounced && bad >= fall) {
          modelAnnounced = false;
          bad = 0;
        } else if (!modelAnnounced) {
          bad = 0;
        }
      }
      Decision d = p.evaluate(T0.plus(interval.multipliedBy(i)), in);
      assertThat(d.announce())
          .as("seed %d, evaluation %d, inputs %s, rise %d fall %d", seed, i, in, rise, fall)
          .isEqualTo(modelAnnounced);
      assertThat(d.changed())
          .as("seed %d, evaluation %d", seed, i)
          .isEqualTo(was != modelAnnounced);
    }
  }
}
