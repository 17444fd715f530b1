/**
 * Log hygiene shared by every layer: {@link io.lvspulse.log.LogSafe} makes text that came from a
 * config file, a peer or a program safe and short enough for one log line. A leaf package: it
 * imports nothing of lvs-pulse, so the lowest layer ({@code config}) can use it.
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.log;
