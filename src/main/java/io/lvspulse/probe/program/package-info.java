/**
 * Piranha's {@code send_program} check: an external program run without a shell under a
 * tree-killing watchdog, its stdout compared with {@code expect}; a failing, killed or hung program
 * is a failure (nanny counts it as success).
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.probe.program;
