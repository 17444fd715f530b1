package io.lvspulse.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void it_follows_the_monotonic_counter_from_its_anchor() {
    AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - 1_000_000_000L); // wraps below
    MonotonicClock c = new MonotonicClock(nanos::get, T0);
    assertThat(c.instant()).isEqualTo(T0);
    nanos.addAndGet(Duration.ofMillis(1500).toNanos());
    assertThat(c.instant()).isEqualTo(T0.plusMillis(1500));
    assertThat(c.millis()).isEqualTo(T0.toEpochMilli() + 1500);
  }

  @Test
  void the_system_clock_is_anchored_at_the_wall_clock_and_never_goes_back() {
    Instant before = Instant.now();
    MonotonicClock c = MonotonicClock.system();
    Instant a = c.instant();
    assertThat(a).isAfterOrEqualTo(before.minusMillis(50)).isBeforeOrEqualTo(Instant.now());
    Instant last = a;
    for (int i = 0; i < 10_000; i++) {
      Instant now = c.instant();
      assertThat(now).isAfterOrEqualTo(last);
      last = now;
    }
  }
}
