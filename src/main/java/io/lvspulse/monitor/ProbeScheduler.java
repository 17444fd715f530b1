package io.lvspulse.monitor;

import java.time.Duration;

/** Fires each server's probe at its interval. The production implementation is Quartz. */
public interface ProbeScheduler extends AutoCloseable {
  /**
   * Schedules {@code fire} every {@code interval}, first after {@code initialDelay}; replaces an
   * existing schedule of the same name. {@code fire} must only start work and return.
   */
  void schedule(String name, Duration interval, Duration initialDelay, Runnable fire);

  /** Removes a schedule (no-op if absent). */
  void unschedule(String name);

  /** Starts firing (schedules made before are held until then). */
  void start();

  @Override
  void close();
}
