package io.lvspulse.config;

import io.lvspulse.config.Lexer.Token;
import io.lvspulse.logging.LogSafe;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The errors and warnings of one parse, each at {@code FILE:LINE:COL}. Like a compiler's, the lists
 * are capped: every diagnostic is counted, but only the first {@code maxErrors} errors and {@code
 * maxWarnings} warnings in file order are kept, followed by one "N more errors not shown" line, so
 * a file with a million mistakes costs a bounded amount of memory and log.
 */
final class Report {
  /** How many characters of a value a message echoes. */
  static final int SHOWN = 64;

  private static final Comparator<Diagnostic> ORDER =
      Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column);

  final String file;
  private final Capped errors;
  private final Capped warnings;

  Report(String file, int maxErrors, int maxWarnings) {
    this.file = file;
    this.errors = new Capped(maxErrors, "error", "errors");
    this.warnings = new Capped(maxWarnings, "warning", "warnings");
  }

  /** A value as a message echoes it: control characters escaped, cut to {@link #SHOWN}. */
  static String show(String value) {
    return LogSafe.escape(value, SHOWN);
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

  /** Every error so far, counted (not only those kept). */
  int errorCount() {
    return errors.total;
  }

  /** Every warning so far, counted. */
  int warningCount() {
    return warnings.total;
  }

  /** The exception for this report's errors. */
  ConfigException exception() {
    return new ConfigException(errors(), warnings(), errors.total, warnings.total);
  }

  /** The first errors in file order, then "N more errors not shown" if some were dropped. */
  List<Diagnostic> errors() {
    return errors.finish();
  }

  /** The first warnings in file order, then "N more warnings not shown" if some were dropped. */
  List<Diagnostic> warnings() {
    return warnings.finish();
  }

  /** The diagnostics of one severity: the {@code cap} first in file order, and a count. */
  private static final class Capped {
    final int cap;
    final String one;
    final String many;
    final List<Diagnostic> kept = new ArrayList<>();
    int total;

    Capped(int cap, String one, String many) {
      this.cap = Math.max(1, cap);
      this.one = one;
      this.many = many;
    }

    void add(Diagnostic d) {
      total++;
      kept.add(d);
      if (kept.size() > 2 * (cap + 1) + 16) {
        trim();
      }
    }

    /** Keeps the {@code cap + 1} first in file order (the last of them is the first dropped). */
    private void trim() {
      kept.sort(ORDER);
      if (kept.size() > cap + 1) {
        kept.subList(cap + 1, kept.size()).clear();
      }
    }

    List<Diagnostic> finish() {
      trim();
      if (total <= cap) {
        return List.copyOf(kept);
      }
      List<Diagnostic> out = new ArrayList<>(kept.subList(0, cap));
      Diagnostic next = kept.get(cap);
      int more = total - cap;
      out.add(
          new Diagnostic(
              next.severity(),
              next.file(),
              next.line(),
              next.column(),
              more
                  + " more "
                  + (more == 1 ? one : many)
                  + " not shown, from here on (only the first "
                  + cap
                  + " are listed)"));
      return List.copyOf(out);
    }
  }
}
