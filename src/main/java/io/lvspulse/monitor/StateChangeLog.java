package io.lvspulse.monitor;

import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The monitor's per-server lines (health transitions, slow-start steps, drained servers) under a
 * budget, so that many flapping servers cannot flood the journal. In normal operation every change
 * gets its own INFO line, as operators expect. The budget is a token bucket: {@code burst} lines at
 * once (a whole virtual service going down is logged line by line), then {@code perSecond} lines a
 * second. A line over the budget is not written; it is counted in {@code
 * lvs_pulse_log_lines_suppressed_total} and, at the next {@link #flush} (the monitor's one-second
 * tick), in one summary line with the counts by kind and a few of the servers:
 *
 * <pre>
 * state changes: 212 lines not logged one by one in the last 1.0 s (131 up -&gt; down, 81 down -&gt;
 * up); e.g. tftp/10.0.0.7:69, tftp/10.0.0.9:69; /status and lvs_pulse_real_server_transitions_total
 * have every change
 * </pre>
 *
 * <p>Not thread-safe: the monitor loop owns it.
 */
final class StateChangeLog {
  /** Lines logged at once before the budget applies. */
  static final int DEFAULT_BURST = 100;

  /** Lines a second once the burst is spent. */
  static final int DEFAULT_PER_SECOND = 10;

  private static final int EXAMPLES = 5;

  private final Logger log;
  private final LongSupplier millis;
  private final int burst;
  private final int perSecond;
  private final Counter suppressedTotal;

  private double tokens;
  private long refilledAt;
  private long windowStart;
  private int suppressed;
  private final Map<String, Integer> byKind = new LinkedHashMap<>();
  private final List<String> examples = new ArrayList<>();

  /**
   * @param millis a millisecond clock (a step backwards neither refills nor stalls the bucket)
   */
  StateChangeLog(
      Logger log, LongSupplier millis, int burst, int perSecond, Counter suppressedTotal) {
    if (burst < 1 || perSecond < 1) {
      throw new IllegalArgumentException("burst and perSecond must be at least 1");
    }
    this.log = log;
    this.millis = millis;
    this.burst = burst;
    this.perSecond = perSecond;
    this.suppressedTotal = suppressedTotal;
    this.tokens = burst;
    this.refilledAt = millis.getAsLong();
    this.windowStart = refilledAt;
  }

  /**
   * Logs one line at INFO ({@code format} and {@code args} as SLF4J takes them) if the budget
   * allows; otherwise counts it under {@code kind} (e.g. {@code up -> down}) with {@code server} as
   * a possible example.
   */
  void info(String kind, Object server, String format, Object... args) {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      log.info(format, args);
      return;
    }
    if (suppressed == 0) {
      windowStart = millis.getAsLong();
    }
    suppressed++;
    suppressedTotal.increment();
    byKind.merge(kind, 1, Integer::sum);
    if (examples.size() < EXAMPLES) {
      examples.add(String.valueOf(server));
    }
  }

  /** Writes the summary of the lines suppressed since the last flush, if any. */
  void flush() {
    if (suppressed == 0) {
      return;
    }
    long now = millis.getAsLong();
    double secs = Math.max(0, now - windowStart) / 1000.0;
    StringBuilder kinds = new StringBuilder();
    for (Map.Entry<String, Integer> e : byKind.entrySet()) {
      if (kinds.length() > 0) {
        kinds.append(", ");
      }
      kinds.append(e.getValue()).append(' ').append(e.getKey());
    }
    log.info(
        "state changes: {} lines not logged one by one in the last {} s ({}); e.g. {}; /status and"
            + " lvs_pulse_real_server_transitions_total have every change",
        suppressed,
        String.format(java.util.Locale.ROOT, "%.1f", Math.max(secs, 0.1)),
        kinds,
        String.join(", ", examples));
    suppressed = 0;
    byKind.clear();
    examples.clear();
  }

  /** Lines suppressed since the last flush (tests). */
  int pending() {
    return suppressed;
  }

  private void refill() {
    long now = millis.getAsLong();
    if (now > refilledAt) {
      tokens = Math.min(burst, tokens + (now - refilledAt) * perSecond / 1000.0);
    }
    refilledAt = now;
  }
}
