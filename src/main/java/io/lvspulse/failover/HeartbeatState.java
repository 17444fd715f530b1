package io.lvspulse.failover;

/** What a heartbeat says about its sender: {@code RUNNING} (it is active) or {@code STOPPED}. */
public enum HeartbeatState {
  RUNNING,
  STOPPED
}
