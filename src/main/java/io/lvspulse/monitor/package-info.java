/**
 * Health monitoring: Quartz schedules a probe per (virtual service, real server), and a per-server
 * state machine turns probe results into "in IPVS with weight W" or "out" — Piranha's nanny rules
 * (one failure takes a server out, {@code floor(reentry/timeout)} successes bring it back, quiesce
 * to weight 0, slow-start ramp) without nanny's bugs.
 */
@NullMarked
package io.lvspulse.monitor;

import org.jspecify.annotations.NullMarked;
