package io.lvspulse.ipvs;

import java.util.Objects;

/** A backend operation failed; {@link #kind()} tells a timeout from other failures. */
public final class IpvsException extends Exception {
  /** Why the operation failed. */
  public enum Kind {
    /**
     * ipvsadm ran and failed: non-zero exit, or any stderr output (ipvsadm -R exits 0 on errors).
     */
    FAILED,
    /** the watchdog killed ipvsadm. */
    TIMEOUT,
    /** ipvsadm's output could not be parsed. */
    PARSE,
    /** IPVS or ipvsadm is not usable on this host at all. */
    UNAVAILABLE
  }

  private final Kind kind;

  public IpvsException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public IpvsException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The message every constructor takes: never null. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
