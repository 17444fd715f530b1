package io.lvspulse.config;

import io.lvspulse.logging.LogSafe;
import java.util.Objects;

/**
 * One message about an lvs.cf file, at a 1-based line and column (a column counts characters; a tab
 * is one column). {@link #toString()} gives {@code FILE:LINE:COL: error: MESSAGE} (or {@code
 * warning}). The file name and the message are safe for one log line: control characters are
 * escaped ({@link LogSafe}) and the message is cut to {@link #MAX_MESSAGE} characters.
 */
public record Diagnostic(Severity severity, String file, int line, int column, String message) {

  /** Error or warning. */
  public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String label;

    Severity(String label) {
      this.label = label;
    }

    /** {@code error} or {@code warning}, as printed. */
    public String label() {
      return label;
    }
  }

  /** The longest message kept (a message echoes values, each already cut to a few dozen). */
  public static final int MAX_MESSAGE = 1000;

  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    file = LogSafe.escape(Objects.requireNonNull(file, "file"), MAX_MESSAGE);
    message = LogSafe.escape(Objects.requireNonNull(message, "message"), MAX_MESSAGE);
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
    }
  }

  public static Diagnostic error(String file, int line, int column, String message) {
    return new Diagnostic(Severity.ERROR, file, line, column, message);
  }

  public static Diagnostic warning(String file, int line, int column, String message) {
    return new Diagnostic(Severity.WARNING, file, line, column, message);
  }

  /** {@code FILE:LINE:COL: error: MESSAGE}. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + severity.label() + ": " + message;
  }
}
