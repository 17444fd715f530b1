package io.lvspulse.config;

import io.lvspulse.config.Lexer.Token;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/** A {@code server} block being parsed: the fields of its {@link RealServer}. */
final class ServerBlock extends ParsedBlock {
  @Nullable InetAddress address;
  boolean active;
  int weight = 1;
  int port;

  ServerBlock(String name, Token opener, int port) {
    super(name, opener);
    this.port = port;
  }

  @Override
  String label() {
    return "server '" + Report.show(name) + "'";
  }
}
