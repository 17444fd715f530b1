package io.lvspulse.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's {@link AsyncAppender} that never blocks the thread that logs and counts what it drops.
 *
 * <p>A synchronous console appender blocks every logging thread once stdout is a full pipe
 * (journald or the pipe's reader stopped reading): probes, HTTP and SIGTERM all hung from the first
 * state change. Here a logging thread only puts the event on a bounded queue; one worker thread
 * writes it (and is the only thread that can block on the pipe). When the queue is full the event
 * is dropped and counted ({@link #dropped()}, exported as {@code
 * lvs_pulse_log_lines_dropped_total}), whatever its level: {@code neverBlock} is always on and no
 * event is discarded before the queue is full ({@code discardingThreshold} 0, unlike Logback's
 * default that discards INFO at 80 %).
 *
 * <p>Configured in {@code logback.xml} as the appender the root logger uses, with the console
 * appender inside it.
 */
public final class DroppingAsyncAppender extends AsyncAppender {
  private static final LongAdder DROPPED = new LongAdder();

  public DroppingAsyncAppender() {
    setNeverBlock(true);
    setDiscardingThreshold(0);
    setIncludeCallerData(false);
  }

  /** Events dropped because the queue was full, by every instance since the JVM started. */
  public static long dropped() {
    return DROPPED.sum();
  }

  @Override
  public void setNeverBlock(boolean neverBlock) {
    super.setNeverBlock(true); // blocking is what this appender exists to prevent
  }

  /**
   * Queues the event, or drops and counts it when the queue is full. Serialized, so a queue with
   * room is still one when the event is offered (the worker only takes events out).
   */
  @Override
  protected synchronized void put(ILoggingEvent event) {
    if (getRemainingCapacity() == 0) {
      DROPPED.increment();
      return;
    }
    super.put(event);
  }
}
