package io.lvspulse.config;

import java.util.Optional;

/**
 * Virtual {@code scheduler}: the IPVS scheduler ({@code ipvsadm -s}). Piranha 0.8.6 knows {@code lc
 * rr wlc wrr lblc lblcr dh sh}; lvs-pulse also accepts IPVS's {@code sed}, {@code nq} and {@code
 * mh} (extensions).
 */
public enum Scheduler implements Keyword {
  LC("lc", true),
  RR("rr", true),
  WLC("wlc", true),
  WRR("wrr", true),
  LBLC("lblc", true),
  LBLCR("lblcr", true),
  DH("dh", true),
  SH("sh", true),
  /** Shortest expected delay: lvs-pulse extension (Piranha rejects it). */
  SED("sed", false),
  /** Never queue: lvs-pulse extension (Piranha rejects it). */
  NQ("nq", false),
  /**
   * Maglev hashing (Linux 4.18+): lvs-pulse extension (Piranha rejects it). Every director maps a
   * client to the same real server; ECMP mode programs it whatever {@code scheduler} says.
   */
  MH("mh", false);

  private final String keyword;
  private final boolean piranha;

  Scheduler(String keyword, boolean piranha) {
    this.keyword = keyword;
    this.piranha = piranha;
  }

  /** The lvs.cf and ipvsadm spelling. */
  public String keyword() {
    return keyword;
  }

  /** True if Piranha 0.8.6 accepts this scheduler too. */
  public boolean piranha() {
    return piranha;
  }

  /** The value for an lvs.cf keyword (case-sensitive, as Piranha). */
  public static Optional<Scheduler> fromKeyword(String s) {
    return Keyword.lookup(values(), s);
  }
}
