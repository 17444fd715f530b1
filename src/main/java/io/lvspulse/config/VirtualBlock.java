package io.lvspulse.config;

import io.lvspulse.config.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A {@code virtual} or {@code failover} block being parsed: its builder and its servers. */
final class VirtualBlock extends ParsedBlock {
  final String kind; // "virtual" or "failover"
  final VirtualService.Builder b;
  final List<ServerBlock> servers = new ArrayList<>();

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
    return kind + " '" + name + "'";
  }

  String path() {
    return kind + ":" + name;
  }
}
