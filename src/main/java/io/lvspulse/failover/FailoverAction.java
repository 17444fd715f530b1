package io.lvspulse.failover;

/** What the {@link PulseStateMachine} asks its host to do, in the order given. */
public sealed interface FailoverAction {

  /** Become active: {@code active_cmd}, fwmark rules, sync daemon master, IPVS, VIPs, ARP. */
  record Activate(String reason) implements FailoverAction {}

  /**
   * Become inactive: {@code inactive_cmd}, VIPs down, sync daemon backup, fwmark rules removed.
   * {@code initial} marks the deactivation at start (pulse starts inactive and runs {@code
   * inactive_cmd} and the backup sync daemon), which is not a transition.
   */
  record Deactivate(String reason, boolean initial) implements FailoverAction {}

  /**
   * Send a heartbeat saying {@code state} now (besides the regular one every {@code keepalive}).
   */
  record SendHeartbeat(HeartbeatState state) implements FailoverAction {}

  /**
   * Still active, but the partner is too: run {@code active_cmd} again and re-send gratuitous ARPs.
   */
  record Reannounce(String reason) implements FailoverAction {}
}
