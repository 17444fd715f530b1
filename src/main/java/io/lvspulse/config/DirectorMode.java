package io.lvspulse.config;

import java.util.Optional;

/**
 * lvs-pulse extension {@code director_mode}: how the directors share the VIPs.
 *
 * <ul>
 *   <li>{@code pair} (the default, Piranha's): one active director holds the VIPs, the backup
 *       watches it by heartbeat and takes over;
 *   <li>{@code ecmp}: every director is active; each announces the VIPs it can serve to the
 *       upstream router through BIRD over BGP, the router spreads flows over them (equal-cost
 *       multipath), and IPVS's {@code mh} scheduler sends a client to the same real server
 *       whichever director receives its packets.
 * </ul>
 */
public enum DirectorMode implements Keyword {
  PAIR("pair"),
  ECMP("ecmp");

  private final String keyword;

  DirectorMode(String keyword) {
    this.keyword = keyword;
  }

  @Override
  public String keyword() {
    return keyword;
  }

  public static Optional<DirectorMode> fromKeyword(String s) {
    return Keyword.lookup(values(), s);
  }
}
