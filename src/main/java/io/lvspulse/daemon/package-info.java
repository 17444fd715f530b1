/**
 * The daemon: wires config, probes, monitor, IPVS, failover and HTTP together; lifecycle and SIGHUP
 * reload.
 */
@NullMarked
package io.lvspulse.daemon;

import org.jspecify.annotations.NullMarked;
