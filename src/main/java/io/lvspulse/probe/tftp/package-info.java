/**
 * Native TFTP probing: the packet codec ({@link io.lvspulse.probe.tftp.TftpCodec}), the check
 * specification ({@link io.lvspulse.probe.tftp.TftpCheck}), the per-probe protocol state machine
 * ({@code TftpTransfer}, no I/O) and the shared NIO engine ({@link
 * io.lvspulse.probe.tftp.TftpProbeEngine}) that runs thousands of probes on a few selector threads
 * (one per CPU).
 */
@NullMarked
package io.lvspulse.probe.tftp;

import org.jspecify.annotations.NullMarked;
