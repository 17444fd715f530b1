/**
 * The one runner for external commands (Apache Commons Exec): argument lists, never a shell; a
 * watchdog that kills the whole process tree; bounded output; results that tell a timeout from a
 * failure.
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.exec;
