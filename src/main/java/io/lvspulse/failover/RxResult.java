package io.lvspulse.failover;

import java.util.Locale;

/** What became of one received heartbeat datagram (the {@code result} tag of the metric). */
public enum RxResult {
  /** Accepted. */
  OK,
  /** The source address is not one of the partner's, or the packet claims to come from our role. */
  WRONG_SOURCE,
  /** Not a known magic number (including Piranha's FOS magics: "incompatible heartbeat"). */
  BAD_MAGIC,
  /** Authenticated mode: the MAC does not verify, or the packet is an unauthenticated one. */
  BAD_MAC,
  /**
   * Authenticated mode: a sequence number not above the last accepted one of the partner's run,
   * without a fresh echo that would show the partner was restored from a snapshot.
   */
  REPLAY,
  /**
   * Authenticated mode: a genuine packet of a partner run not known yet (it restarted, or we did)
   * that does not yet echo one of our recent packets; the handshake answers it at once.
   */
  HANDSHAKE,
  /**
   * Authenticated mode: the same message again, received over the second path (every message goes
   * to the partner's public and private address); ignored, not a fault.
   */
  DUPLICATE,
  /** Not the exact length of the format in use. */
  BAD_LENGTH;

  /** The metric tag value: {@code ok}, {@code wrong_source}, ... */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
