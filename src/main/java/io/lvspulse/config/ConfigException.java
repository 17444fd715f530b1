package io.lvspulse.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An lvs.cf that cannot be used. Holds every error (and the warnings found on the way), each with
 * file, line and column; {@link #getMessage()} is the errors, one per line, as {@code
 * FILE:LINE:COL: error: MESSAGE}.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<Diagnostic> errors;
  private final transient List<Diagnostic> warnings;
  private final int errorCount;
  private final int warningCount;

  public ConfigException(List<Diagnostic> errors, List<Diagnostic> warnings) {
    this(errors, warnings, errors.size(), warnings.size());
  }

  /**
   * @param errorCount every error, counted (the list may hold only the first ones)
   * @param warningCount every warning, counted
   */
  public ConfigException(
      List<Diagnostic> errors, List<Diagnostic> warnings, int errorCount, int warningCount) {
    super(errors.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
    this.warnings = List.copyOf(warnings);
    this.errorCount = errorCount;
    this.warningCount = warningCount;
  }

  /**
   * The errors in file order: every one, or the first ones and a last "N more errors not shown"
   * line (the parser lists at most 100).
   */
  public List<Diagnostic> errors() {
    return errors;
  }

  /** The warnings found while parsing, in file order (likewise capped). */
  public List<Diagnostic> warnings() {
    return warnings;
  }

  /** How many errors the file has, listed or not. */
  public int errorCount() {
    return errorCount;
  }

  /** How many warnings the file has, listed or not. */
  public int warningCount() {
    return warningCount;
  }
}
