package io.lvspulse.config;

import java.util.Map;
import java.util.Optional;

/**
 * Where each block and key of a parsed file was written, kept beside the model (records carry no
 * positions, so equal configs compare equal wherever they were written). Keys: {@code
 * virtual:NAME}, {@code virtual:NAME/KEY}, {@code virtual:NAME/server:S}, {@code
 * virtual:NAME/server:S/KEY}, {@code failover:NAME...}, {@code global/KEY}.
 */
public record SourceMap(String file, Map<String, Position> positions) {

  /** A 1-based line and column. */
  public record Position(int line, int column) {}

  public SourceMap {
    positions = Map.copyOf(positions);
  }

  /** An empty map for models that were not parsed from a file. */
  public static SourceMap empty(String file) {
    return new SourceMap(file, Map.of());
  }

  /** The position of a path (see the class comment). */
  public Optional<Position> find(String path) {
    return Optional.ofNullable(positions.get(path));
  }

  /** Where {@code virtual NAME} opens. */
  public Optional<Position> virtual(String name) {
    return find("virtual:" + name);
  }

  /** Where {@code server SERVER} opens inside {@code virtual VIRTUAL}. */
  public Optional<Position> server(String virtual, String server) {
    return find("virtual:" + virtual + "/server:" + server);
  }

  /** Formats a message at a path as {@code FILE:LINE:COL: error: MESSAGE} (or line 1 col 1). */
  public Diagnostic error(String path, String message) {
    Position p = find(path).orElse(new Position(1, 1));
    return Diagnostic.error(file, p.line(), p.column(), message);
  }
}
