package io.lvspulse.config;

import java.util.Optional;

/**
 * Global {@code network}: the IPVS forwarding method of every real server (Piranha default NAT).
 */
public enum Network implements Keyword {
  /** Direct routing ({@code ipvsadm -g}). */
  DIRECT("direct"),
  /** Masquerading / NAT ({@code ipvsadm -m}). */
  NAT("nat"),
  /** IP-in-IP tunnelling ({@code ipvsadm -i}). */
  TUNNEL("tunnel");

  private final String keyword;

  Network(String keyword) {
    this.keyword = keyword;
  }

  /** The lvs.cf spelling. */
  @Override
  public String keyword() {
    return keyword;
  }

  /** The value for an lvs.cf keyword (case-sensitive, as Piranha). */
  public static Optional<Network> fromKeyword(String s) {
    return Keyword.lookup(values(), s);
  }
}
