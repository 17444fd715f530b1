/**
 * Piranha's {@code send_program} check: an external program run without a shell under a
 * tree-killing watchdog, its stdout compared with {@code expect}; a failing, killed or hung program
 * is a failure (nanny counts it as success).
 */
@NullMarked
package io.lvspulse.probe.program;

import org.jspecify.annotations.NullMarked;
