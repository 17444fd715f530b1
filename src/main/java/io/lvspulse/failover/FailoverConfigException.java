package io.lvspulse.failover;

/** The configuration (or this host) does not allow failover to start: one clear message. */
public final class FailoverConfigException extends Exception {
  public FailoverConfigException(String message) {
    super(message);
  }

  public FailoverConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
