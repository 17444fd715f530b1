/**
 * Health probes: the small, general types every probe kind shares ({@link io.lvspulse.probe.Probe},
 * {@link io.lvspulse.probe.ProbeResult}, {@link io.lvspulse.probe.FailureCause}, {@link
 * io.lvspulse.probe.ExpectMatcher}), what a kind is ({@link io.lvspulse.probe.ProbeKind}) and what
 * the monitor calls ({@link io.lvspulse.probe.ProbeSource}), and the selector machinery the
 * non-blocking engines run on ({@link io.lvspulse.probe.ProbeReactor}: selector threads, submission
 * queues, deadline heaps, close).
 *
 * <p>Each kind lives in a sub-package with its engine ({@code io.lvspulse.probe.tftp}, {@code
 * .socket}, {@code .program}); {@code io.lvspulse.probe.kinds} lists them. This package imports
 * {@code config} only, never its sub-packages: they import it, so there is no cycle.
 */
@NullMarked
package io.lvspulse.probe;

import org.jspecify.annotations.NullMarked;
