package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QuartzProbeSchedulerTest {
  @Test
  void every_trigger_fires_its_own_callback_through_the_one_shared_job() throws Exception {
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    try (QuartzProbeScheduler s = new QuartzProbeScheduler()) {
      s.schedule("web/a 10.0.0.1:80", Duration.ofMillis(50), Duration.ZERO, a::incrementAndGet);
      s.schedule("web/b 10.0.0.2:80", Duration.ofMillis(50), Duration.ZERO, b::incrementAndGet);
      s.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> a.get() >= 3 && b.get() >= 3);

      s.unschedule("web/a 10.0.0.1:80");
      int stoppedAt = a.get() + 1; // at most one run already handed to a worker
      int bBefore = b.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> b.get() >= bBefore + 5);
      assertThat(a.get()).isLessThanOrEqualTo(stoppedAt);
    }
  }

  @Test
  void rescheduling_a_name_replaces_its_trigger_instead_of_adding_a_second_one() throws Exception {
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    try (QuartzProbeScheduler s = new QuartzProbeScheduler()) {
      s.schedule("x", Duration.ofMillis(50), Duration.ZERO, first::incrementAndGet);
      s.schedule("x", Duration.ofMillis(50), Duration.ZERO, second::incrementAndGet);
      s.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> second.get() >= 3);
      assertThat(first.get()).isZero();
    }
  }
}
