/**
 * Address helpers every layer may use: {@link io.lvspulse.net.Addresses} prints an address the one
 * way lvs-pulse prints addresses everywhere (RFC 5952 for IPv6), in logs, {@code /status}, metrics
 * labels, ipvsadm arguments and the lvs.cf writer.
 *
 * <p>This package imports nothing else of lvs-pulse.
 */
@NullMarked
package io.lvspulse.net;

import org.jspecify.annotations.NullMarked;
