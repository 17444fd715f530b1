package io.lvspulse.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A settable clock for tests: time moves only when the test says so. */
public final class MutableClock implements InstantSource {
  private volatile Instant now;

  public MutableClock(Instant start) {
    this.now = start;
  }

  public MutableClock() {
    this(Instant.parse("2025-01-01T00:00:00Z"));
  }

  @Override
  public Instant instant() {
    return now;
  }

  public void advance(Duration d) {
    now = now.plus(d);
  }
}
