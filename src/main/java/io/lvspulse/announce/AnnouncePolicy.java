package io.lvspulse.announce;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Whether this director should announce one VIP, pure and clock-driven: the caller passes the time
 * and the director's state ({@link Inputs}); {@link #evaluate} returns a {@link Decision}. Nothing
 * is read or sent here. Not thread-safe: owned by the {@link AnnounceController}'s thread.
 *
 * <p>A VIP is <em>healthy</em> when all of these hold, checked in this order (the first that fails
 * is the reason):
 *
 * <ol>
 *   <li>its IPVS services are programmed (the table converged): {@link Reason#IPVS_NOT_PROGRAMMED};
 *   <li>every real server of its virtual services has been probed at least once since start: {@link
 *       Reason#FIRST_PROBE_ROUND};
 *   <li>each of its virtual services has at least {@code announce_quorum} real servers up: {@link
 *       Reason#BELOW_QUORUM};
 *   <li>a BGP session to the router is established: {@link Reason#NO_BGP_SESSION}.
 * </ol>
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Start withdrawn.
 *   <li>Announce once the VIP has been healthy continuously for {@code (rise - 1) × interval}: with
 *       evaluations every {@code interval}, that is {@code rise} healthy evaluations in a row
 *       ({@code rise = 1}: at the first).
 *   <li>Withdraw once it has been unhealthy continuously for {@code (fall - 1) × interval}: {@code
 *       fall} unhealthy evaluations in a row. A flap that heals before then changes nothing.
 *   <li>Withdraw at once, with no hysteresis, when the director is {@linkplain Reason#STOPPING
 *       stopping} (SIGTERM; final) or {@linkplain Reason#DRAINED drained} (an operator's drain).
 *       After a drain ends, the rise rule applies again.
 * </ul>
 *
 * <table>
 *   <caption>Transitions (H = healthy evaluation, U = unhealthy)</caption>
 *   <tr><th>from</th><th>input</th><th>to</th></tr>
 *   <tr><td>withdrawn</td><td>H for (rise-1)×interval</td><td>announced</td></tr>
 *   <tr><td>withdrawn</td><td>U</td><td>withdrawn (rise timer reset)</td></tr>
 *   <tr><td>announced</td><td>U for (fall-1)×interval</td><td>withdrawn</td></tr>
 *   <tr><td>announced</td><td>H</td><td>announced (fall timer reset)</td></tr>
 *   <tr><td>any</td><td>drained or stopping</td><td>withdrawn, at once</td></tr>
 * </table>
 */
public final class AnnouncePolicy {

  /**
   * @param interval the period of the evaluations ({@code announce_interval})
   * @param rise healthy evaluations in a row before announcing ({@code announce_rise}), at least 1
   * @param fall unhealthy evaluations in a row before withdrawing ({@code announce_fall}), at least
   *     1
   * @param quorum real servers that must be up in each virtual service ({@code announce_quorum}),
   *     at least 1
   */
  public record Settings(Duration interval, int rise, int fall, int quorum) {
    public Settings {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive: " + interval);
      }
      if (rise < 1 || fall < 1) {
        throw new IllegalArgumentException("rise and fall must be at least 1");
      }
      if (quorum < 1) {
        throw new IllegalArgumentException("quorum must be at least 1: " + quorum);
      }
    }

    /** 1 s, rise 2, fall 2, quorum 1. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), 2, 2, 1);
    }

    /** How long a VIP must be healthy before it is announced. */
    public Duration riseTime() {
      return interval.multipliedBy(rise - 1L);
    }

    /** How long a VIP must be unhealthy before it is withdrawn. */
    public Duration fallTime() {
      return interval.multipliedBy(fall - 1L);
    }
  }

  /**
   * The director's state for one VIP at one evaluation.
   *
   * @param ipvsProgrammed the VIP's IPVS services are in the kernel as desired
   * @param firstRoundDone every real server of the VIP has a probe result
   * @param serversUp real servers up in the VIP's weakest virtual service
   * @param servers real servers configured in that virtual service
   * @param bgpEstablished at least one BGP session to the router is established
   * @param drained an operator drained this director
   * @param stopping the daemon is stopping (SIGTERM)
   */
  public record Inputs(
      boolean ipvsProgrammed,
      boolean firstRoundDone,
      int serversUp,
      int servers,
      boolean bgpEstablished,
      boolean drained,
      boolean stopping) {
    public Inputs {
      if (serversUp < 0 || servers < 0) {
        throw new IllegalArgumentException("negative server count");
      }
    }
  }

  /** The condition behind a decision, also a metric label. */
  public enum Reason {
    /** Every condition holds. */
    HEALTHY,
    /** The daemon is stopping: withdrawn at once, for good. */
    STOPPING,
    /** An operator drained the director: withdrawn at once. */
    DRAINED,
    /** The IPVS table has not converged to the desired one. */
    IPVS_NOT_PROGRAMMED,
    /** Some real server has not been probed yet since start. */
    FIRST_PROBE_ROUND,
    /** Fewer than {@code announce_quorum} real servers are up. */
    BELOW_QUORUM,
    /** No BGP session to the router is established (or the routing daemon cannot be asked). */
    NO_BGP_SESSION;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One evaluation's outcome.
   *
   * @param announce whether the VIP should be announced now
   * @param reason the condition found: {@link Reason#HEALTHY} while announced or rising; the
   *     problem while withdrawn or falling
   * @param detail one human sentence, for logs and /status
   * @param changed {@code announce} differs from the previous evaluation's
   */
  public record Decision(boolean announce, Reason reason, String detail, boolean changed) {}

  private Settings settings;
  private boolean announced;
  private @Nullable Instant healthySince;
  private @Nullable Instant unhealthySince;
  private boolean stopped;

  public AnnouncePolicy(Settings settings) {
    this.settings = Objects.requireNonNull(settings);
  }

  /** Replaces the settings (a reload); running rise/fall timers are kept. */
  public void updateSettings(Settings s) {
    this.settings = Objects.requireNonNull(s);
  }

  public Settings settings() {
    return settings;
  }

  /** Whether the last decision was to announce. */
  public boolean announced() {
    return announced;
  }

  /** Evaluates the VIP at {@code now}. */
  public Decision evaluate(Instant now, Inputs in) {
    Objects.requireNonNull(now);
    if (in.stopping() || stopped) {
      stopped = true;
      return withdrawAtOnce(Reason.STOPPING, "the director is stopping");
    }
    if (in.drained()) {
      return withdrawAtOnce(Reason.DRAINED, "the director is drained");
    }
    Optional<Decision> problem = problem(in);
    if (problem.isEmpty()) {
      unhealthySince = null;
      String healthy =
          in.serversUp() + " of " + in.servers() + " real servers up, BGP session established";
      if (announced) {
        return new Decision(true, Reason.HEALTHY, "announced: " + healthy, false);
      }
      if (healthySince == null) {
        healthySince = now;
      }
      Instant at = healthySince.plus(settings.riseTime());
      if (!now.isBefore(at)) {
        announced = true;
        return new Decision(true, Reason.HEALTHY, "announced: " + healthy, true);
      }
      return new Decision(
          false,
          Reason.HEALTHY,
          "rising: healthy since "
              + healthySince
              + " ("
              + healthy
              + "), announcing at "
              + at
              + " (announce_rise = "
              + settings.rise()
              + ")",
          false);
    }
    Decision p = problem.get();
    healthySince = null;
    if (!announced) {
      unhealthySince = null;
      return new Decision(false, p.reason(), "withdrawn: " + p.detail(), false);
    }
    if (unhealthySince == null) {
      unhealthySince = now;
    }
    Instant at = unhealthySince.plus(settings.fallTime());
    if (!now.isBefore(at)) {
      announced = false;
      unhealthySince = null;
      return new Decision(false, p.reason(), "withdrawn: " + p.detail(), true);
    }
    return new Decision(
        true,
        p.reason(),
        "falling: "
            + p.detail()
            + "; withdrawing at "
            + at
            + " unless it heals (announce_fall = "
            + settings.fall()
            + ")",
        false);
  }

  private Decision withdrawAtOnce(Reason reason, String detail) {
    boolean changed = announced;
    announced = false;
    healthySince = null;
    unhealthySince = null;
    return new Decision(false, reason, "withdrawn: " + detail, changed);
  }

  private Optional<Decision> problem(Inputs in) {
    if (!in.ipvsProgrammed()) {
      return Optional.of(
          new Decision(
              false, Reason.IPVS_NOT_PROGRAMMED, "the IPVS table is not programmed yet", false));
    }
    if (!in.firstRoundDone()) {
      return Optional.of(
          new Decision(
              false,
              Reason.FIRST_PROBE_ROUND,
              "waiting for the first probe of every real server",
              false));
    }
    if (in.serversUp() < settings.quorum()) {
      return Optional.of(
          new Decision(
              false,
              Reason.BELOW_QUORUM,
              in.serversUp()
                  + " of "
                  + in.servers()
                  + " real servers up, below announce_quorum = "
                  + settings.quorum(),
              false));
    }
    if (!in.bgpEstablished()) {
      return Optional.of(
          new Decision(false, Reason.NO_BGP_SESSION, "no BGP session is established", false));
    }
    return Optional.empty();
  }
}
