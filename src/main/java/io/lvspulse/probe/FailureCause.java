package io.lvspulse.probe;

/** Why a probe failed. A timeout is told apart from every kind of definite failure. */
public enum FailureCause {
  /** No acceptable answer arrived within the probe's timeout. */
  TIMEOUT,
  /** ICMP port unreachable: nothing listens on the probed UDP port. */
  PORT_UNREACHABLE,
  /** TCP connection refused (RST). */
  CONNECTION_REFUSED,
  /** The peer answered, but only with packets that are not valid for the protocol. */
  MALFORMED_REPLY,
  /** The peer answered with a protocol-level error, or the transferred content was wrong. */
  TRANSFER_ERROR,
  /** The answer did not match the configured {@code expect}. */
  UNEXPECTED_REPLY,
  /** An external check program failed (non-zero exit, signal, or watchdog kill). */
  PROGRAM_FAILED,
  /** The host name could not be resolved. */
  UNKNOWN_HOST,
  /** An I/O problem on the way to the server (no route to it, a send or receive that failed). */
  IO_ERROR,
  /**
   * A fault of this director, not of the server: out of file descriptors (EMFILE, ENFILE), socket
   * buffers (ENOBUFS) or memory (ENOMEM, an OutOfMemoryError), a process that cannot be forked, an
   * engine that is closed. Not evidence that the server is down: the monitor keeps the server's
   * state ({@link ProbeResult.Outcome#LOCAL_ERROR}) and reports a local problem instead.
   */
  LOCAL_ERROR
}
