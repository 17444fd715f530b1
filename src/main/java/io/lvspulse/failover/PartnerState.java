package io.lvspulse.failover;

/** What this director knows about its partner. */
public enum PartnerState {
  /** There is no partner: {@code backup_active = 0}. */
  NONE,
  /** Nothing heard yet, and {@code deadtime} has not passed since start. */
  UNKNOWN,
  /** The last valid heartbeat said RUNNING (the partner is active). */
  RUNNING,
  /** The last valid heartbeat said STOPPED (the partner is alive and inactive). */
  STOPPED,
  /** No valid heartbeat for {@code deadtime}. */
  DEAD
}
