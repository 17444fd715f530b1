/**
 * The list of probe kinds ({@link io.lvspulse.probe.kinds.ProbeKinds}): the one place that knows
 * every kind, and the {@link io.lvspulse.probe.ProbeSource} the daemon runs.
 *
 * <p>It sits above the kind packages ({@code probe.tftp}, {@code probe.socket}, {@code
 * probe.program}), which import only {@code io.lvspulse.probe} (the shared types and {@link
 * io.lvspulse.probe.ProbeKind}), {@code config} and {@code exec}; so {@code probe} never imports
 * its sub-packages and the package graph has no cycle. A new kind is a new package {@code
 * probe.<kind>} with one {@code ProbeKind}, plus one line in {@code ProbeKinds.KINDS}.
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.probe.kinds;
