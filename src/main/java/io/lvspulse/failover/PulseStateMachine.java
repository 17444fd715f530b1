package io.lvspulse.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * pulse's state machine (docs/reference/piranha-behaviour.md §3.2), pure and clock-driven: time is
 * passed in, nothing is read or sent here; each input returns the {@link FailoverAction}s to
 * perform. Not thread-safe: owned by the failover scheduler thread.
 *
 * <p>Rules, as pulse unless marked:
 *
 * <ul>
 *   <li>Start inactive ({@link FailoverAction.Deactivate} with {@code initial}); the partner must
 *       be heard within {@code deadtime} of start.
 *   <li>Every valid heartbeat pushes the deadline to now + {@code deadtime}. When it passes, the
 *       partner is {@link PartnerState#DEAD}; an inactive director that may be active activates
 *       ("partner silent for deadtime"). With {@code backup_active = 0} there is no partner: the
 *       lone primary activates {@code deadtime} after start.
 *   <li>RUNNING received while we are the active backup: send one last RUNNING (so the primary
 *       re-ARPs), then yield. While we are the active primary: {@link FailoverAction.Reannounce}.
 *   <li>STOPPED received while inactive (and allowed to be active): the primary activates at once
 *       ("backup inactive"). The backup activates at once when the primary went from RUNNING to
 *       STOPPED ("primary inactive": it gave up). <b>Deviation:</b> a backup that has heard only
 *       STOPPED since the partner appeared (both directors starting together) waits until the
 *       primary has said STOPPED for {@code deadtime}, so the primary wins the start-up race; pulse
 *       activates both and the backup yields a moment later, after announcing the VIP.
 *   <li>No automatic failback. <b>Extension {@code failback = 1}:</b> an inactive primary that may
 *       be active and has heard the backup RUNNING continuously for {@code deadtime} (the partner
 *       link is stable) activates ("failback"); the backup then hears RUNNING from the primary and
 *       yields.
 *   <li>A local problem (link down with {@code monitor_links = 1}, IPVS that cannot be programmed,
 *       or another health problem reported by the daemon) keeps an inactive director from
 *       activating. <b>Deviation:</b> an active director with a local problem deactivates only when
 *       the partner can take over: heard within {@code deadtime} and, when its heartbeats carry its
 *       health (the authenticated format), without a problem of its own. Otherwise it keeps the
 *       VIPs (never hand traffic to a partner that is worse) and hands over as soon as the partner
 *       can take them. pulse deactivates at once, even when the partner cannot take over.
 *   <li><b>Deviation:</b> silence is not trusted during a flood of rejected datagrams ({@link
 *       #onNoise}): while more than {@value #NOISE_RATE} a second arrive (at least {@value
 *       #NOISE_MINIMUM}), the partner is declared dead only after {@value #NOISE_DEADTIME_FACTOR} ×
 *       {@code deadtime} of silence (a flood can push genuine heartbeats out of a full receive
 *       buffer).
 *   <li><b>Deviation:</b> every transition is followed by an immediate heartbeat of the new state,
 *       so the partner does not wait for the next {@code keepalive}.
 * </ul>
 */
public final class PulseStateMachine {

  /**
   * Rejected datagrams a second from which silence is distrusted (at least {@value #NOISE_MINIMUM}
   * within the window of one to two deadtimes).
   */
  public static final int NOISE_RATE = 200;

  /** The fewest rejected datagrams that make a flood. */
  public static final int NOISE_MINIMUM = 20;

  /** How many deadtimes of silence declare the partner dead during a flood. */
  public static final int NOISE_DEADTIME_FACTOR = 3;

  /**
   * @param role this director's role
   * @param lonePrimary {@code backup_active = 0}: no partner, no heartbeats
   * @param deadtime silence after which the partner is dead
   * @param failback the {@code failback = 1} extension
   */
  public record Settings(Role role, boolean lonePrimary, Duration deadtime, boolean failback) {
    public Settings {
      Objects.requireNonNull(role);
      if (deadtime.isNegative() || deadtime.isZero()) {
        throw new IllegalArgumentException("deadtime must be positive: " + deadtime);
      }
      if (lonePrimary && role != Role.PRIMARY) {
        throw new IllegalArgumentException("backup_active = 0 allows only a primary");
      }
    }
  }

  private Settings settings;
  private boolean started;
  private boolean active;
  private Instant deadline = Instant.MAX;
  private PartnerState partner;
  private @Nullable Instant lastHeard;
  private @Nullable Instant connectedSince;
  private @Nullable Instant stoppedSince;
  private @Nullable Instant runningSince;
  private boolean partnerWasRunning;
  private Optional<String> localProblem = Optional.empty();
  private boolean partnerReportsHealth;
  private Optional<String> partnerProblem = Optional.empty();
  private @Nullable Instant startedAt;
  private @Nullable Instant noiseWindowStart;
  private long noiseCount;
  private long previousNoiseCount;
  private String lastReason = "not started";
  private @Nullable Instant lastTransitionAt;

  public PulseStateMachine(Settings settings) {
    this.settings = Objects.requireNonNull(settings);
    this.partner = settings.lonePrimary() ? PartnerState.NONE : PartnerState.UNKNOWN;
  }

  /** Starts inactive at {@code now}. */
  public List<FailoverAction> start(Instant now) {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    startedAt = now;
    deadline = now.plus(settings.deadtime());
    lastReason = "starting: inactive until the partner is known";
    lastTransitionAt = now;
    List<FailoverAction> out = new ArrayList<>();
    out.add(new FailoverAction.Deactivate(lastReason, true));
    evaluate(now, out);
    return out;
  }

  /** A valid heartbeat from the partner, in a format without health (pulse's). */
  public List<FailoverAction> onHeartbeat(Instant now, HeartbeatState state) {
    return onHeartbeat(now, Heartbeat.plain(state));
  }

  /** A valid heartbeat from the partner. */
  public List<FailoverAction> onHeartbeat(Instant now, Heartbeat heartbeat) {
    requireStarted();
    List<FailoverAction> out = new ArrayList<>();
    if (settings.lonePrimary()) {
      return out; // no partner to listen to
    }
    HeartbeatState state = heartbeat.state();
    partnerReportsHealth = heartbeat.reportsHealth();
    partnerProblem = heartbeat.problem();
    lastHeard = now;
    deadline = now.plus(settings.deadtime());
    if (partner == PartnerState.UNKNOWN || partner == PartnerState.DEAD) {
      connectedSince = now;
      partnerWasRunning = false;
      stoppedSince = null;
      runningSince = null;
    }
    if (state == HeartbeatState.RUNNING) {
      if (partner != PartnerState.RUNNING) {
        runningSince = now;
      }
      partner = PartnerState.RUNNING;
      partnerWasRunning = true;
      stoppedSince = null;
      if (active && settings.role() == Role.BACKUP) {
        out.add(new FailoverAction.SendHeartbeat(HeartbeatState.RUNNING));
        deactivate(now, "partner (primary) active", out);
      } else if (active) {
        out.add(
            new FailoverAction.Reannounce("partner (backup) active too: re-announcing the VIPs"));
      }
    } else {
      boolean gaveUp = partner == PartnerState.RUNNING;
      if (partner != PartnerState.STOPPED) {
        stoppedSince = now;
      }
      partner = PartnerState.STOPPED;
      runningSince = null;
      if (!active && localProblem.isEmpty()) {
        if (settings.role() == Role.PRIMARY) {
          activate(now, "backup inactive", out);
        } else if (gaveUp) {
          activate(now, "primary inactive", out);
        }
      }
    }
    evaluate(now, out);
    return out;
  }

  /**
   * {@code count} datagrams rejected since the last call (bad magic, bad MAC, replays, wrong
   * length): while they come in a flood, the partner's silence is not trusted at once.
   */
  public List<FailoverAction> onNoise(Instant now, long count) {
    requireStarted();
    rollNoiseWindow(now);
    noiseCount += Math.max(0, count);
    return new ArrayList<>();
  }

  private void rollNoiseWindow(Instant now) {
    if (noiseWindowStart == null) {
      noiseWindowStart = now;
      return;
    }
    Duration d = settings.deadtime();
    if (!now.isBefore(noiseWindowStart.plus(d))) {
      previousNoiseCount = now.isBefore(noiseWindowStart.plus(d.multipliedBy(2))) ? noiseCount : 0;
      noiseCount = 0;
      noiseWindowStart = now;
    }
  }

  /** Whether a flood of rejected datagrams arrived within about the last deadtime. */
  public boolean noisy(Instant now) {
    if (noiseWindowStart == null) {
      return false;
    }
    rollNoiseWindow(now);
    long threshold = Math.max(NOISE_MINIMUM, NOISE_RATE * settings.deadtime().toMillis() / 1000);
    return noiseCount + previousNoiseCount >= threshold;
  }

  /** A clock tick: checks the deadtime (and the failback and start-up rules). */
  public List<FailoverAction> onTick(Instant now) {
    requireStarted();
    List<FailoverAction> out = new ArrayList<>();
    evaluate(now, out);
    return out;
  }

  /**
   * The local health: {@code problem} present (e.g. "link down: eth0") = this director must not be
   * active; empty = it may be.
   */
  public List<FailoverAction> onLocalHealth(Instant now, Optional<String> problem) {
    requireStarted();
    List<FailoverAction> out = new ArrayList<>();
    Optional<String> before = localProblem;
    localProblem = Objects.requireNonNull(problem);
    if (!problem.equals(before)) {
      evaluate(now, out);
    }
    return out;
  }

  /**
   * Whether the partner can take over from us: heard within deadtime and, when its heartbeats say
   * its health, without a local problem.
   */
  public boolean partnerCanTakeOver() {
    boolean alive = partner == PartnerState.RUNNING || partner == PartnerState.STOPPED;
    return alive && !(partnerReportsHealth && partnerProblem.isPresent());
  }

  /** What the partner's heartbeats say of its health: its problem, if it reports one. */
  public Optional<String> partnerProblem() {
    return partnerProblem;
  }

  /** Replaces the timing settings (a reload); the role must stay the same. */
  public void updateSettings(Settings s) {
    if (s.role() != settings.role() || s.lonePrimary() != settings.lonePrimary()) {
      throw new IllegalArgumentException("the role cannot change on reload");
    }
    this.settings = s;
  }

  private void evaluate(Instant now, List<FailoverAction> out) {
    if (!started) {
      return;
    }
    if (!settings.lonePrimary()
        && !now.isBefore(deadline)
        && partner != PartnerState.DEAD
        && !distrustSilence(now)) {
      partner = PartnerState.DEAD;
      connectedSince = null;
      stoppedSince = null;
      runningSince = null;
      partnerWasRunning = false;
      partnerReportsHealth = false;
      partnerProblem = Optional.empty();
    }
    if (active && localProblem.isPresent()) {
      if (settings.lonePrimary() || partnerCanTakeOver()) {
        deactivate(now, localProblem.get(), out);
      } else if (!lastReason.startsWith("keeping the VIPs")) {
        lastReason =
            "keeping the VIPs despite a local problem ("
                + localProblem.get()
                + "): the partner cannot take over ("
                + partnerProblem
                    .map(p -> "it reports: " + p)
                    .orElse("it is " + partner.name().toLowerCase(java.util.Locale.ROOT))
                + ")";
      }
      return;
    }
    if (active || localProblem.isPresent()) {
      return;
    }
    if (settings.lonePrimary()) {
      if (!now.isBefore(deadline)) {
        activate(now, "no backup director (backup_active = 0): active after deadtime", out);
      }
      return;
    }
    switch (partner) {
      case DEAD ->
          activate(
              now, "partner silent for deadtime (" + settings.deadtime().toMillis() + " ms)", out);
      case STOPPED -> {
        if (settings.role() == Role.PRIMARY) {
          activate(now, "backup inactive", out);
        } else if (stoppedSince != null && !now.isBefore(stoppedSince.plus(settings.deadtime()))) {
          activate(now, "primary inactive for deadtime", out);
        }
      }
      case RUNNING -> {
        if (settings.failback()
            && settings.role() == Role.PRIMARY
            && runningSince != null
            && !now.isBefore(runningSince.plus(settings.deadtime()))) {
          activate(
              now,
              "failback: the primary is healthy and the backup has been heard for deadtime",
              out);
        }
      }
      default -> {}
    }
  }

  /** A flood of rejects: the silence is believed only after NOISE_DEADTIME_FACTOR deadtimes. */
  private boolean distrustSilence(Instant now) {
    if (!noisy(now)) {
      return false;
    }
    Instant since = lastHeard != null ? lastHeard : startedAt;
    if (since == null) {
      return false;
    }
    return now.isBefore(since.plus(settings.deadtime().multipliedBy(NOISE_DEADTIME_FACTOR)));
  }

  private void activate(Instant now, String reason, List<FailoverAction> out) {
    active = true;
    lastReason = reason;
    lastTransitionAt = now;
    out.add(new FailoverAction.Activate(reason));
    out.add(new FailoverAction.SendHeartbeat(HeartbeatState.RUNNING));
  }

  private void deactivate(Instant now, String reason, List<FailoverAction> out) {
    active = false;
    lastReason = reason;
    lastTransitionAt = now;
    out.add(new FailoverAction.Deactivate(reason, false));
    out.add(new FailoverAction.SendHeartbeat(HeartbeatState.STOPPED));
  }

  private void requireStarted() {
    if (!started) {
      throw new IllegalStateException("not started");
    }
  }

  public boolean active() {
    return active;
  }

  /** The state our heartbeats announce. */
  public HeartbeatState ownState() {
    return active ? HeartbeatState.RUNNING : HeartbeatState.STOPPED;
  }

  public Role role() {
    return settings.role();
  }

  public Settings settings() {
    return settings;
  }

  public PartnerState partner() {
    return partner;
  }

  public Optional<Instant> lastHeard() {
    return Optional.ofNullable(lastHeard);
  }

  public String lastReason() {
    return lastReason;
  }

  public Optional<Instant> lastTransitionAt() {
    return Optional.ofNullable(lastTransitionAt);
  }

  public Optional<String> localProblem() {
    return localProblem;
  }

  /** When the partner's current uninterrupted run of heartbeats began. */
  public Optional<Instant> connectedSince() {
    return Optional.ofNullable(connectedSince);
  }
}
