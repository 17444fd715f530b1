package io.lvspulse.config;

import java.util.Optional;

/** Global {@code network}: the IPVS forwarding method of every real server (Piranha default NAT). */
public enum Network {
  /** Direct routing ({@code ipvsadm -g}). */
  DIRECT("direct", "-g"),
  /** Masquerading / NAT ({@code ipvsadm -m}). */
  NAT("nat", "-m"),
  /** IP-in-IP tunnelling ({@code ipvsadm -i}). */
  TUNNEL("tunnel", "-i");

  private final String keyword;
  private final String ipvsadmFlag;

  Network(String keyword, String ipvsadmFlag) {
    this.keyword = keyword;
    this.ipvsadmFlag = ipvsadmFlag;
  }

  /** The lvs.cf spelling. */
  public String keyword() {
    return keyword;
  }

  /** The ipvsadm packet-forwarding flag for real servers: {@code -g}, {@code -m} or {@code -i}. */
  public String ipvsadmFlag() {
    return ipvsadmFlag;
  }

  /** The value for an lvs.cf keyword (case-sensitive, as Piranha). */
  public static Optional<Network> fromKeyword(String s) {
    for (Network n : values()) {
      if (n.keyword.equals(s)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }
}
