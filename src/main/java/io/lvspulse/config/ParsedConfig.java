package io.lvspulse.config;

import java.util.List;
import java.util.Objects;

/**
 * A successfully parsed lvs.cf, its warnings and where everything was written.
 *
 * @param warnings the first warnings in file order (at most the parser's limit, then one "N more
 *     warnings not shown" line)
 * @param warningCount every warning, counted
 */
public record ParsedConfig(
    LvsConfig config, List<Diagnostic> warnings, SourceMap sourceMap, int warningCount) {
  public ParsedConfig {
    Objects.requireNonNull(config, "config");
    warnings = List.copyOf(warnings);
    Objects.requireNonNull(sourceMap, "sourceMap");
  }

  public ParsedConfig(LvsConfig config, List<Diagnostic> warnings, SourceMap sourceMap) {
    this(config, warnings, sourceMap, warnings.size());
  }

  public ParsedConfig(LvsConfig config, List<Diagnostic> warnings) {
    this(config, warnings, SourceMap.empty("lvs.cf"));
  }
}
