package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StateChangeLogTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger("StateChangeLogTest");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Counter suppressed = registry.counter("suppressed");
  private StateChangeLog log;

  @BeforeEach
  void setUp() {
    lines.start();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    logger.setAdditive(false);
    logger.addAppender(lines);
    log = new StateChangeLog(logger, now::get, 5, 2, suppressed);
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(lines);
  }

  private void change(int i, String kind) {
    log.info(kind, "v/s" + i, "server {} {}", "v/s" + i, kind);
  }

  @Test
  void every_change_is_its_own_line_within_the_budget() {
    for (int i = 0; i < 5; i++) {
      change(i, "up -> down");
    }
    log.flush();
    assertThat(lines.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "server v/s0 up -> down",
            "server v/s1 up -> down",
            "server v/s2 up -> down",
            "server v/s3 up -> down",
            "server v/s4 up -> down");
    assertThat(suppressed.count()).isZero();
  }

  @Test
  void past_the_burst_changes_are_counted_and_summarised_once_per_flush() {
    for (int i = 0; i < 12; i++) {
      change(i, i % 3 == 0 ? "down -> up" : "up -> down");
    }
    now.addAndGet(400);
    log.flush();
    assertThat(lines.list).hasSize(6);
    assertThat(lines.list.get(5).getFormattedMessage())
        .isEqualTo(
            "state changes: 7 lines not logged one by one in the last 0.4 s (5 up -> down, 2 down"
                + " -> up); e.g. v/s5, v/s6, v/s7, v/s8, v/s9; /status and"
                + " lvs_pulse_real_server_transitions_total have every change");
    assertThat(suppressed.count()).isEqualTo(7);
    log.flush();
    assertThat(lines.list).as("nothing new to summarise").hasSize(6);
  }

  @Test
  void the_budget_refills_at_its_rate_and_never_above_the_burst() {
    for (int i = 0; i < 5; i++) {
      change(i, "up -> down");
    }
    now.addAndGet(1000); // 2 lines a second
    for (int i = 5; i < 10; i++) {
      change(i, "up -> down");
    }
    assertThat(lines.list).hasSize(7);
    assertThat(log.pending()).isEqualTo(3);
    log.flush();
    now.addAndGet(3_600_000); // an idle hour refills to the burst only
    for (int i = 10; i < 20; i++) {
      change(i, "down -> up");
    }
    assertThat(log.pending()).isEqualTo(5);
  }

  @Test
  void a_clock_step_backwards_neither_refills_nor_stalls_the_budget() {
    for (int i = 0; i < 5; i++) {
      change(i, "up -> down");
    }
    now.addAndGet(-3_600_000);
    change(5, "up -> down");
    assertThat(log.pending()).isEqualTo(1);
    now.addAndGet(500);
    change(6, "up -> down");
    assertThat(lines.list).hasSize(6);
  }
}
