/**
 * Director failover, as Piranha's {@code pulse} does it and wire-compatible with it: which director
 * this is ({@link io.lvspulse.failover.RoleDetector}), the UDP heartbeat ({@link
 * io.lvspulse.failover.PlainHeartbeatCodec}, the optional {@link
 * io.lvspulse.failover.AuthenticatedHeartbeatCodec}, {@link
 * io.lvspulse.failover.HeartbeatEndpoint}), the clock-driven pulse state machine ({@link
 * io.lvspulse.failover.PulseStateMachine}) and what a director does when it becomes active or
 * inactive (VIPs and gratuitous ARP through {@link io.lvspulse.failover.VipManager}, {@code
 * active_cmd}, fwmark rules, the IPVS sync daemon). {@link io.lvspulse.failover.Failover} puts them
 * together behind a small API the daemon hosts.
 *
 * <p>Imports {@code config}, {@code exec}, {@code firewall}, {@code ipvs}, {@code net} and {@code
 * time} only.
 *
 * <p>Threads: a field shared between threads names its lock with {@code @GuardedBy} (Error Prone's
 * annotation); a field one thread owns says so in a comment ({@code // Scheduler thread only.}).
 */
@NullMarked
package io.lvspulse.failover;

import org.jspecify.annotations.NullMarked;
