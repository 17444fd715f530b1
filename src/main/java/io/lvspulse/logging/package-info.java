/**
 * Logging that never stalls the daemon: an asynchronous Logback appender that drops (and counts)
 * lines rather than block on a full stdout pipe; and {@link io.lvspulse.logging.LogSafe}, which
 * makes text from outside (a config value, a peer's or a program's output) safe for one log line.
 * Imports only Logback and nothing of lvs-pulse, so every layer, the config parser included, may
 * use it.
 */
@NullMarked
package io.lvspulse.logging;

import org.jspecify.annotations.NullMarked;
