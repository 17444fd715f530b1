package io.lvspulse.monitor;

import java.time.Instant;

/**
 * A change of one real server, as the last few are shown on /status and the web page.
 *
 * @param server the server
 * @param kind a health transition or an admin change
 * @param from the state before ({@link Health#label()} or {@link AdminState#label()})
 * @param to the state after
 * @param reason the probe message of a health transition; who changed an admin state
 * @param at when
 */
public record ServerEvent(
    ServerId server, Kind kind, String from, String to, String reason, Instant at) {

  /** What changed. */
  public enum Kind {
    HEALTH,
    ADMIN;

    /** {@code health} or {@code admin}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
