package io.lvspulse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The global lvs-pulse extension keys of ECMP mode (all ignored in pair mode).
 *
 * @param mode {@code director_mode}: {@code pair} (default) or {@code ecmp}
 * @param announceQuorum {@code announce_quorum} (1): real servers that must be up in each virtual
 *     service of a VIP for this director to announce it
 * @param announceRise {@code announce_rise} (2): healthy evaluations in a row before announcing
 * @param announceFall {@code announce_fall} (2): unhealthy evaluations in a row before withdrawing
 * @param announceInterval {@code announce_interval} (1 s): period of the evaluations, and of the
 *     loop that converges BIRD
 * @param birdSocket {@code bird_socket} (/run/bird/bird.ctl): BIRD's control socket
 */
public record EcmpSettings(
    DirectorMode mode,
    int announceQuorum,
    int announceRise,
    int announceFall,
    Duration announceInterval,
    Path birdSocket) {

  public static final Path DEFAULT_BIRD_SOCKET = Path.of("/run/bird/bird.ctl");
  public static final Duration DEFAULT_ANNOUNCE_INTERVAL = Duration.ofSeconds(1);

  public EcmpSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(announceInterval, "announceInterval");
    Objects.requireNonNull(birdSocket, "birdSocket");
  }

  /** Pair mode; the ECMP keys at their defaults. */
  public static EcmpSettings defaults() {
    return new EcmpSettings(
        DirectorMode.PAIR, 1, 2, 2, DEFAULT_ANNOUNCE_INTERVAL, DEFAULT_BIRD_SOCKET);
  }

  /** True in ECMP mode. */
  public boolean ecmp() {
    return mode == DirectorMode.ECMP;
  }
}
