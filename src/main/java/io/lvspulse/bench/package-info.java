/**
 * Benchmarks run from the {@code bench} CLI command (never from unit tests): the TFTP probe engine
 * against real and synthetic servers, compared with forking the check_tftp logic; IPVS planning;
 * the real daemon process measured from outside.
 *
 * <p>It ships in the jar so {@code lvs-pulse bench} runs on a director as it is installed. Every
 * process it starts (tftpd-hpa, the daemon, the responder, {@code kill}, {@code jcmd}) goes through
 * {@link io.lvspulse.exec.ExecRunner}: {@code run} for short commands, {@code launch} for servers,
 * so each has the runner's watchdog and tree kill. The one exception is the forked check_tftp that
 * {@code bench tftp} measures against the native probe (see {@code TftpBench.fork}).
 */
@NullMarked
package io.lvspulse.bench;

import org.jspecify.annotations.NullMarked;
