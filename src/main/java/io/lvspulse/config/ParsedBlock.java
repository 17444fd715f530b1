package io.lvspulse.config;

import io.lvspulse.config.Lexer.Token;
import java.util.HashMap;
import java.util.Map;

/** What the parser keeps about a block while it reads it: its name, where it opens, its keys. */
abstract class ParsedBlock {
  final String name;
  final Token opener;

  /** Where each key was written (its first value). */
  final Map<String, Token> keys = new HashMap<>();

  boolean hadError;

  ParsedBlock(String name, Token opener) {
    this.name = name;
    this.opener = opener;
  }

  /** The block in messages, e.g. {@code virtual 'tftp'} or {@code server 'ftp1'}. */
  abstract String label();
}
