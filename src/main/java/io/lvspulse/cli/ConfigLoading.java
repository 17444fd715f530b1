package io.lvspulse.cli;

import io.lvspulse.config.ConfigException;
import io.lvspulse.config.Diagnostic;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.ParsedConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** How the commands that use an lvs.cf (rather than check it) read it. */
final class ConfigLoading {
  private ConfigLoading() {}

  /**
   * Parses {@code file}. Valid: its warnings go to {@code err} (not flushed). Invalid: its errors
   * go to {@code err} (flushed) and the result is empty; the command then exits 1.
   */
  static Optional<ParsedConfig> load(Path file, PrintWriter err) {
    ParsedConfig pc;
    try {
      pc = new LvsConfigParser().parse(file);
    } catch (ConfigException e) {
      for (Diagnostic d : e.errors()) {
        err.println(d);
      }
      err.flush();
      return Optional.empty();
    }
    for (Diagnostic w : pc.warnings()) {
      err.println(w);
    }
    return Optional.of(pc);
  }
}
