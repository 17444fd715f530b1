package io.lvspulse.config;

import java.util.Optional;

/** Virtual {@code protocol}: {@code tcp} (Piranha default) or {@code udp}. */
public enum Protocol implements Keyword {
  TCP("tcp"),
  UDP("udp");

  private final String keyword;

  Protocol(String keyword) {
    this.keyword = keyword;
  }

  /** The lvs.cf spelling. */
  @Override
  public String keyword() {
    return keyword;
  }

  /** The value for an lvs.cf keyword (case-sensitive, as Piranha). */
  public static Optional<Protocol> fromKeyword(String s) {
    return Keyword.lookup(values(), s);
  }
}
