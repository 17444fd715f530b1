package io.lvspulse.config;

import io.lvspulse.config.Lexer.Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A {@code virtual} or {@code failover} block being parsed: its builder and its servers. */
final class VirtualBlock extends ParsedBlock {
  final String kind; // "virtual" or "failover"
  final VirtualService.Builder b;
  final List<ServerBlock> servers = new ArrayList<>();

  /** The first server block of each name (duplicate names are reported against it). */
  final Map<String, ServerBlock> serverNames = new HashMap<>();

  /** How many of {@link #servers} a {@code port} directive has already checked. */
  int serversPortChecked;

  /** A service-name {@code port} (checked against the protocol once the block is read). */
  @Nullable Token portName;

  Map<String, Integer> portNameProtocols = Map.of();

  VirtualBlock(String kind, String name, Token opener) {
    super(name, opener);
    this.kind = kind;
    this.b = VirtualService.builder(name);
  }

  @Override
  String label() {
    return kind + " '" + Report.show(name) + "'";
  }

  String path() {
    return kind + ":" + name;
  }
}
