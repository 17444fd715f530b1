/**
 * The one runner for external commands (Apache Commons Exec): argument lists, never a shell; a
 * watchdog that kills the whole process tree; bounded output; results that tell a timeout from a
 * failure.
 */
@NullMarked
package io.lvspulse.exec;

import org.jspecify.annotations.NullMarked;
