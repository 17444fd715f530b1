/**
 * Logging that never stalls the daemon: an asynchronous Logback appender that drops (and counts)
 * lines rather than block on a full stdout pipe. Imports only Logback.
 */
@NullMarked
package io.lvspulse.logging;

import org.jspecify.annotations.NullMarked;
