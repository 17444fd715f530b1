package io.lvspulse.config;

import java.util.Objects;

/**
 * One message about an lvs.cf file, at a 1-based line and column (a column counts characters; a tab
 * is one column). {@link #toString()} gives {@code FILE:LINE:COL: error: MESSAGE} (or {@code
 * warning}).
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

  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
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
