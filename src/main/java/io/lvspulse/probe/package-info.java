/**
 * Health probes: the small, general types every probe kind shares ({@link io.lvspulse.probe.Probe},
 * {@link io.lvspulse.probe.ProbeResult}, {@link io.lvspulse.probe.FailureCause}), and the selector
 * machinery the non-blocking engines run on ({@link io.lvspulse.probe.ProbeReactor}: selector
 * threads, submission queues, deadline heaps, close). Engines for each protocol live in
 * sub-packages (for example {@code io.lvspulse.probe.tftp}).
 */
@NullMarked
package io.lvspulse.probe;

import org.jspecify.annotations.NullMarked;
