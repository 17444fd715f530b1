package io.lvspulse.config;

import java.util.List;
import java.util.Objects;

/** A successfully parsed lvs.cf, its warnings and where everything was written. */
public record ParsedConfig(LvsConfig config, List<Diagnostic> warnings, SourceMap sourceMap) {
  public ParsedConfig {
    Objects.requireNonNull(config, "config");
    warnings = List.copyOf(warnings);
    Objects.requireNonNull(sourceMap, "sourceMap");
  }

  public ParsedConfig(LvsConfig config, List<Diagnostic> warnings) {
    this(config, warnings, SourceMap.empty("lvs.cf"));
  }
}
