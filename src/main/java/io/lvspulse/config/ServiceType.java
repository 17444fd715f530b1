package io.lvspulse.config;

import java.util.Optional;

/**
 * Global {@code service}: which set of blocks runs ({@code virtual} for LVS, {@code failover} for
 * FOS).
 */
public enum ServiceType implements Keyword {
  LVS("lvs"),
  FOS("fos");

  private final String keyword;

  ServiceType(String keyword) {
    this.keyword = keyword;
  }

  /** The lvs.cf spelling. */
  @Override
  public String keyword() {
    return keyword;
  }

  /** The value for an lvs.cf keyword (case-sensitive, as Piranha). */
  public static Optional<ServiceType> fromKeyword(String s) {
    return Keyword.lookup(values(), s);
  }
}
