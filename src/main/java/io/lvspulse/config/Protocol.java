package io.lvspulse.config;

import java.util.Optional;

/** Virtual {@code protocol}: {@code tcp} (Piranha default) or {@code udp}. */
public enum Protocol {
  TCP("tcp", "-t"),
  UDP("udp", "-u");

  private final String keyword;
  private final String ipvsadmFlag;

  Protocol(String keyword, String ipvsadmFlag) {
    this.keyword = keyword;
    this.ipvsadmFlag = ipvsadmFlag;
  }

  /** The lvs.cf spelling. */
  public String keyword() {
    return keyword;
  }

  /** The ipvsadm service flag for a non-fwmark service: {@code -t} or {@code -u}. */
  public String ipvsadmFlag() {
    return ipvsadmFlag;
  }

  /** The value for an lvs.cf keyword (case-sensitive, as Piranha). */
  public static Optional<Protocol> fromKeyword(String s) {
    for (Protocol p : values()) {
      if (p.keyword.equals(s)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
