package io.lvspulse.config;

import io.lvspulse.config.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The errors and warnings of one parse, each at {@code FILE:LINE:COL}. */
final class Report {
  final String file;
  final List<Diagnostic> errors = new ArrayList<>();
  final List<Diagnostic> warnings = new ArrayList<>();

  Report(String file) {
    this.file = file;
  }

  void error(Token t, String msg) {
    errors.add(Diagnostic.error(file, t.line(), t.col(), msg));
  }

  void errorAt(int line, int col, String msg) {
    errors.add(Diagnostic.error(file, line, Math.max(1, col), msg));
  }

  /** A warning at {@code t}, or at 1:1 when there is no token. */
  void warn(@Nullable Token t, String msg) {
    warnings.add(
        t == null
            ? Diagnostic.warning(file, 1, 1, msg)
            : Diagnostic.warning(file, t.line(), t.col(), msg));
  }

  int errorCount() {
    return errors.size();
  }
}
