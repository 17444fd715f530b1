/**
 * Time for intervals: {@link io.lvspulse.time.MonotonicClock}, an {@link java.time.InstantSource}
 * that follows {@link System#nanoTime} (never the wall clock), so a deadline does not move when NTP
 * or an operator steps the clock. Imports nothing of lvs-pulse.
 */
@NullMarked
package io.lvspulse.time;

import org.jspecify.annotations.NullMarked;
