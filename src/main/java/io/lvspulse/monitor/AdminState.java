package io.lvspulse.monitor;

import java.util.Locale;
import java.util.Optional;

/**
 * What an operator asked for one real server, next to its {@link Health}: the health rules decide
 * whether a server may serve, the admin state whether the operator lets it. Set at run time with
 * {@code lvs-pulse drain|maintenance|enable} or the HTTP API; kept in the state file across
 * restarts and reloads.
 */
public enum AdminState {
  /** The health rules alone decide (the default). */
  ENABLED,
  /** Weight 0: no new client, existing ones finish; stays in IPVS (probes go on). */
  DRAIN,
  /** Weight 0 until drained, then out of IPVS (probes go on). */
  MAINTENANCE;

  /** {@code enabled}, {@code drain} or {@code maintenance}: logs, /status, metrics, the CLI. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state a {@link #label()} names. */
  public static Optional<AdminState> parse(String label) {
    for (AdminState s : values()) {
      if (s.label().equals(label)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
