package io.lvspulse.announce;

import java.util.Objects;

/**
 * The routing daemon could not be asked or did not do what was asked: it is down or restarting,
 * timed out, refused the command, or lacks the VIP's protocol. Always a result to report and retry,
 * never fatal to the director.
 */
public final class AnnounceException extends Exception {
  private static final long serialVersionUID = 1L;

  public AnnounceException(String message) {
    super(message);
  }

  public AnnounceException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The message every constructor takes: never null. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
