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
  /** A local I/O problem (no socket, no route, too many open files, engine closed). */
  IO_ERROR
}
