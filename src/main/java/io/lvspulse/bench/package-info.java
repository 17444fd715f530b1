/**
 * Benchmarks run from the {@code bench} CLI command (never from unit tests): the TFTP probe engine
 * against real and synthetic servers, compared with forking the check_tftp logic.
 */
@NullMarked
package io.lvspulse.bench;

import org.jspecify.annotations.NullMarked;
