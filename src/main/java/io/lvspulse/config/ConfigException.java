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

  public ConfigException(List<Diagnostic> errors, List<Diagnostic> warnings) {
    super(errors.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
    this.warnings = List.copyOf(warnings);
  }

  /** Every error, in file order. */
  public List<Diagnostic> errors() {
    return errors;
  }

  /** The warnings found while parsing, in file order. */
  public List<Diagnostic> warnings() {
    return warnings;
  }
}
