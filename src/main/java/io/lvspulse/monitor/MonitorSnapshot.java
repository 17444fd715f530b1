package io.lvspulse.monitor;

import io.lvspulse.config.LvsConfig;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the monitor knows at one instant: the config it runs and every server it watches
 * (including servers still draining after a reload removed them), sorted by id.
 *
 * @param config the running configuration
 * @param servers every monitored or draining server
 * @param startedAt when the monitor started (sorry servers wait for the first probe round)
 * @param at when the snapshot was taken
 * @param localProblem a fault of this director that keeps probes from checking servers, if any
 *     ({@link LocalHealth})
 */
public record MonitorSnapshot(
    LvsConfig config,
    List<ServerView> servers,
    Instant startedAt,
    Instant at,
    Optional<LocalProblem> localProblem) {
  public MonitorSnapshot {
    servers = List.copyOf(servers);
    Objects.requireNonNull(localProblem, "localProblem");
  }

  /** A snapshot without a local problem. */
  public MonitorSnapshot(
      LvsConfig config, List<ServerView> servers, Instant startedAt, Instant at) {
    this(config, servers, startedAt, at, Optional.empty());
  }
}
