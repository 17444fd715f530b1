package io.lvspulse.failover;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.lvspulse.config.GlobalSettings;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.firewall.FirewallInstaller;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.SyncDaemonRole;
import io.lvspulse.net.Addresses;
import io.lvspulse.time.MonotonicClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One director's failover, the part of Piranha's pulse that lvs-pulse keeps: heartbeat, pulse state
 * machine, and the activation and deactivation steps ({@link DirectorActions}). The daemon builds
 * one, {@link #start()}s it, feeds it reloaded configs ({@link #reload}) and health problems
 * ({@link #setLocalProblem}), reads {@link #status()} and {@link #stop()}s it.
 *
 * <p>Threads: a scheduler thread owns the state machine (timers, received heartbeats, reloads); the
 * heartbeat socket has a receive thread; activation/deactivation steps (external commands, the
 * listener) run in order on one actions thread ({@link DirectorActions}) so a slow command never
 * delays a heartbeat. This class is the state shell: it turns the machine's {@link FailoverAction}s
 * into steps on that thread, and an epoch (bumped on every activation and deactivation) cancels the
 * steps and ARPs of an older one.
 */
public final class Failover implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Failover.class);
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);

  private final FailoverOptions options;
  private final InstantSource clock;
  private final FailoverScheduler scheduler;
  private final Executor actions;
  private final @Nullable ExecutorService ownedActions;
  private final LinkState links;
  private final RoleDetector.Decision decision;
  private final FailoverMetrics metrics;
  private final DirectorActions steps;
  private final @Nullable HeartbeatCodec codec;
  private final PulseStateMachine machine;
  private final List<InetAddress> partnerAddresses;
  private final AtomicLong epoch = new AtomicLong();

  /** Deactivations whose steps have not finished: we still say RUNNING until the VIPs are down. */
  private final AtomicInteger pendingDeactivations = new AtomicInteger();

  /** The heartbeat receive thread's rate limit of rejection warnings. */
  @GuardedBy("itself")
  private final Map<RxResult, Instant> lastWarned = new EnumMap<>(RxResult.class);

  // Written on the scheduler thread (reload applies it there); read anywhere.
  private volatile LvsConfig config;
  // Written on the scheduler thread (publish); read by status() callers.
  private volatile FailoverStatus status;

  /** Local problems reported by the daemon, by source ("ipvs", "probes", ...). */
  private final Map<String, String> externalProblems =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  /** Datagrams rejected since the last tick (the receive threads count, the tick reads). */
  private final AtomicLong rejectedSinceTick = new AtomicLong();

  // Scheduler thread only.
  private Optional<String> linkProblem = Optional.empty();
  // Written on the scheduler thread; read by send() on any thread: what our heartbeats report.
  private volatile Optional<String> reportedProblem = Optional.empty();
  // Set once in start() before its first task goes to the scheduler (the hand-off publishes it to
  // the scheduler and actions threads); closed in stop().
  private @Nullable HeartbeatEndpoint endpoint;
  // Scheduler thread only.
  private FailoverScheduler.@Nullable Cancellable tick;
  // Scheduler thread only.
  private Instant nextSendAt = Instant.MIN;
  // Scheduler thread only: the last out-of-turn heartbeat (handshake answers), rate-limited.
  private Instant lastExtraSendAt = Instant.MIN;

  @GuardedBy("this")
  private boolean started;

  // Set under this in stop(); volatile because scheduler-thread tasks and ARPs read it unlocked.
  private volatile boolean stopped;

  private Failover(Builder b, RoleDetector.Decision decision) throws FailoverConfigException {
    this.config = b.config;
    this.options = b.options;
    this.clock = b.clock;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
    } else {
      this.scheduler = FailoverScheduler.threaded("failover");
    }
    if (b.actions != null) {
      this.actions = b.actions;
      this.ownedActions = null;
    } else {
      ExecutorService ex =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "failover-actions");
                t.setDaemon(true);
                return t;
              });
      this.actions = ex;
      this.ownedActions = ex;
    }
    this.links = b.links;
    this.decision = decision;
    this.metrics = new FailoverMetrics(b.registry, decision.role());
    this.steps =
        new DirectorActions(
            options,
            b.runner,
            Objects.requireNonNull(b.ipvs, "ipvs backend"),
            b.listener,
            b.firewall,
            new VipManager(b.runner, options.vip(), metrics),
            metrics,
            scheduler,
            epoch::get,
            () -> stopped);
    GlobalSettings g = config.global();
    boolean lone = !g.hasBackup();
    Role role = decision.role();
    this.partnerAddresses =
        lone
            ? List.of()
            : List.copyOf(
                role == Role.PRIMARY
                    ? RoleDetector.distinct(g.backup(), g.backupPrivate())
                    : RoleDetector.distinct(g.primary(), g.primaryPrivate()));
    if (lone) {
      this.codec = null;
    } else if (g.heartbeatKeyFile().isPresent()) {
      AuthenticatedHeartbeatCodec a =
          new AuthenticatedHeartbeatCodec(
              role, HeartbeatKey.read(g.heartbeatKeyFile().get()), clock);
      a.freshness(freshness(g));
      this.codec = a;
    } else {
      this.codec = new PlainHeartbeatCodec();
    }
    this.machine = new PulseStateMachine(settings(g, role));
    this.status = snapshot();
  }

  /** How old our message may be for an echo of it to prove freshness: 2 deadtimes, at least 2 s. */
  private static Duration freshness(GlobalSettings g) {
    Duration d = g.deadtime().multipliedBy(2);
    return d.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : d;
  }

  private static PulseStateMachine.Settings settings(GlobalSettings g, Role role) {
    return new PulseStateMachine.Settings(role, !g.hasBackup(), g.deadtime(), g.failback());
  }

  /** A builder for the director described by {@code config}. */
  public static Builder builder(LvsConfig config) {
    return new Builder(config);
  }

  /**
   * Opens the heartbeat socket (unless {@code backup_active = 0}) and starts inactive: runs the
   * deactivation steps once (as pulse: {@code inactive_cmd}, sync daemon backup; lvs-pulse also
   * removes VIPs a crashed predecessor may have left up).
   *
   * @throws IOException the heartbeat socket cannot be bound (port in use, no permission for 539)
   */
  public synchronized void start() throws IOException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    GlobalSettings g = config.global();
    if (codec != null) {
      InetSocketAddress bind =
          new InetSocketAddress(
              options.bindAddress().orElse(null), options.listenPort().orElse(g.heartbeatPort()));
      endpoint =
          HeartbeatEndpoint.open(
              bind,
              new LinkedHashSet<>(partnerAddresses),
              options.partnerPort().orElse(g.heartbeatPort()),
              codec,
              this::onPacket);
    }
    log.info(
        "failover starting as {} ({}), partner {}, heartbeat {}, keepalive {} ms, deadtime {} ms{}",
        decision.role().label(),
        decision.reason(),
        partnerAddresses.isEmpty() ? "none (backup_active = 0)" : addresses(partnerAddresses),
        codec == null
            ? "off"
            : (codec.authenticated() ? "authenticated (HMAC-SHA256)" : "Piranha-compatible"),
        g.keepalive().toMillis(),
        g.deadtime().toMillis(),
        g.failback() ? ", failback on" : "");
    scheduler.execute(
        () -> {
          Instant now = clock.instant();
          dispatch(machine.start(now));
          nextSendAt = now;
          scheduleTick();
        });
  }

  /**
   * Deactivates (if active: VIPs down, {@code inactive_cmd}, ...), tells the partner STOPPED so it
   * takes over at once, and stops every thread. Waits at most about {@code timeout}.
   */
  public void stop(Duration timeout) {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    scheduler.execute(
        () -> {
          try {
            if (tick != null) {
              tick.cancel();
            }
            if (machine.active()) {
              epoch.incrementAndGet();
              metrics.active(false);
              metrics.failover();
              log.info("director {} inactive: shutting down", decision.role().label());
              LvsConfig c = config;
              pendingDeactivations.incrementAndGet();
              actions.execute(() -> deactivateSteps(c, "shutting down", false));
            }
            // After the VIPs are down: the partner takes over at once.
            actions.execute(
                () -> {
                  send(HeartbeatState.STOPPED);
                  done.complete(null);
                });
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        });
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("failover did not stop cleanly within {} ms: {}", timeout.toMillis(), e.toString());
    }
    if (endpoint != null) {
      endpoint.close();
    }
    scheduler.shutdown();
    if (ownedActions != null) {
      ownedActions.shutdownNow();
    }
    metrics.close();
  }

  /** {@link #stop(Duration)} with 20 s. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(20));
  }

  /**
   * Applies a reloaded config. Applied: VIPs (added/removed while active), {@code active_cmd},
   * {@code inactive_cmd}, {@code keepalive}, {@code deadtime}, {@code failback}, {@code
   * monitor_links}, the sync daemon settings and the fwmark rules. Not applied (pulse does not
   * reload them either; restart lvs-pulse): the director addresses, {@code backup_active}, {@code
   * heartbeat_port} and {@code heartbeat_key_file}. Returns one line per change that was not
   * applied.
   */
  public List<String> reload(LvsConfig newConfig) {
    Objects.requireNonNull(newConfig);
    GlobalSettings o = config.global();
    GlobalSettings n = newConfig.global();
    List<String> ignored = new ArrayList<>();
    ignoredIfChanged(ignored, "primary", o.primary(), n.primary());
    ignoredIfChanged(ignored, "primary_private", o.primaryPrivate(), n.primaryPrivate());
    ignoredIfChanged(ignored, "backup", o.backup(), n.backup());
    ignoredIfChanged(ignored, "backup_private", o.backupPrivate(), n.backupPrivate());
    ignoredIfChanged(ignored, "backup_active", o.hasBackup(), n.hasBackup());
    ignoredIfChanged(ignored, "heartbeat_port", o.heartbeatPort(), n.heartbeatPort());
    ignoredIfChanged(ignored, "heartbeat_key_file", o.heartbeatKeyFile(), n.heartbeatKeyFile());
    for (String s : ignored) {
      log.warn("reload: {}", s);
    }
    scheduler.execute(
        () -> {
          LvsConfig old = config;
          config = newConfig;
          if (o.hasBackup() == n.hasBackup()) {
            machine.updateSettings(settings(n, decision.role()));
          }
          if (codec instanceof AuthenticatedHeartbeatCodec a) {
            a.freshness(freshness(n));
          }
          if (machine.active()) {
            long e = epoch.get();
            actions.execute(() -> steps.reload(old, newConfig, e));
          } else if (DirectorActions.syncdChanged(o, n)) {
            actions.execute(() -> steps.switchSyncDaemon(newConfig, SyncDaemonRole.BACKUP));
          }
          evaluateHealth(clock.instant());
          publish();
        });
    return ignored;
  }

  /**
   * A health problem reported by the daemon (the generalisation of pulse's CHILDFAIL), one per
   * {@code source} ("ipvs": IPVS cannot be programmed; "probes": the probe engines' local errors;
   * ...): present = this director will not activate, and hands over when the partner can take over;
   * empty = that source's problem is cleared. The director is healthy when no source and no link
   * reports a problem.
   */
  public void setLocalProblem(String source, Optional<String> problem) {
    Objects.requireNonNull(source);
    if (problem.isPresent()) {
      externalProblems.put(source, problem.get());
    } else {
      externalProblems.remove(source);
    }
    scheduler.execute(() -> evaluateHealth(clock.instant()));
  }

  /** {@link #setLocalProblem(String, Optional)} without a source name. */
  public void setLocalProblem(Optional<String> problem) {
    setLocalProblem("", problem);
  }

  /**
   * The heartbeat socket, once started (none with {@code backup_active = 0}): the admin relay
   * ({@link AdminRelayCodec}) sends and receives on it.
   */
  public Optional<HeartbeatEndpoint> heartbeatEndpoint() {
    synchronized (this) {
      return Optional.ofNullable(endpoint);
    }
  }

  /** Whether heartbeats are HMAC-authenticated (the admin relay needs it). */
  public boolean authenticated() {
    return codec != null && codec.authenticated();
  }

  /** The latest snapshot (cheap; for {@code /status}). */
  public FailoverStatus status() {
    return status;
  }

  /** This director's role. */
  public Role role() {
    return decision.role();
  }

  // ---- scheduler thread ------------------------------------------------------------------------

  private void scheduleTick() {
    if (stopped) {
      return;
    }
    // A quarter of keepalive: the deadline is checked at most keepalive/4 late (with keepalive 0.2
    // and deadtime 0.8, a tick of keepalive let detection take up to 1.0 s).
    Duration quarter = config.global().keepalive().dividedBy(4);
    Duration period = quarter.compareTo(options.maxTick()) < 0 ? quarter : options.maxTick();
    tick = scheduler.schedule(period, this::onTick);
  }

  private void onTick() {
    if (stopped) {
      return;
    }
    Instant now = clock.instant();
    evaluateHealth(now);
    long noise = rejectedSinceTick.getAndSet(0);
    if (noise > 0) {
      dispatch(machine.onNoise(now, noise));
    }
    dispatch(machine.onTick(now));
    if (codec != null && !now.isBefore(nextSendAt)) {
      HeartbeatState s = announcedState();
      if (codec.authenticated()
          || s == HeartbeatState.RUNNING
          || machine.localProblem().isEmpty()) {
        send(s);
      }
      // else: plain format, inactive with a local problem: silent (see docs/failover.md "Local
      // health"), so the partner counts us out instead of handing its VIPs to us
      nextSendAt = now.plus(config.global().keepalive());
    }
    publish();
    scheduleTick();
  }

  private void evaluateHealth(Instant now) {
    if (stopped) {
      return;
    }
    linkProblem = config.global().monitorLinks() ? downLink() : Optional.empty();
    List<String> all = new ArrayList<>();
    linkProblem.ifPresent(all::add);
    externalProblems.forEach((source, p) -> all.add(source.isEmpty() ? p : source + ": " + p));
    Optional<String> problem =
        all.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", all));
    reportedProblem = problem;
    if (!problem.equals(machine.localProblem())) {
      if (problem.isPresent()) {
        log.warn("director {} may not be active: {}", decision.role().label(), problem.get());
      } else {
        log.info(
            "director {} may be active again: {} cleared",
            decision.role().label(),
            machine.localProblem().orElse(""));
      }
      dispatch(machine.onLocalHealth(now, problem));
      publish();
    }
  }

  private Optional<String> downLink() {
    Set<String> ifs = new LinkedHashSet<>(decision.ownInterfaces());
    for (Vip v : Vip.of(config)) {
      ifs.add(v.interfaceName());
    }
    for (String nif : ifs) {
      if (!links.isUp(nif)) {
        return Optional.of("link down: " + nif);
      }
    }
    return Optional.empty();
  }

  /**
   * On a receive thread: counts the verdict and hands accepted messages to the scheduler thread,
   * dispatching on their kind (a new kind of message is one more case here).
   */
  private void onPacket(HeartbeatCodec.Decoded decoded, InetSocketAddress from) {
    if (decoded instanceof HeartbeatCodec.Rejected r) {
      metrics.received(r.result());
      if (r.result() == RxResult.DUPLICATE) {
        return; // the same message over the second path
      }
      warnRejected(r.result(), from, r.detail());
      if (r.result() == RxResult.HANDSHAKE) {
        scheduler.execute(this::answerOutOfTurn); // the partner restarted, or we did
      } else {
        rejectedSinceTick.incrementAndGet();
      }
      return;
    }
    HeartbeatCodec.Accepted a = (HeartbeatCodec.Accepted) decoded;
    metrics.received(RxResult.OK);
    HeartbeatCodec.Message m = a.message();
    if (m instanceof Heartbeat h) {
      scheduler.execute(
          () -> {
            if (stopped) {
              return;
            }
            dispatch(machine.onHeartbeat(clock.instant(), h));
            if (a.newSession()) {
              log.info("heartbeat: a new run of the partner accepted ({})", from);
              answerOutOfTurn();
            }
            publish();
          });
    } else if (m instanceof HeartbeatCodec.Unknown u) {
      log.debug("authenticated message of unknown kind {} from {}: ignored", u.kind(), from);
    }
  }

  /**
   * On the scheduler thread: a heartbeat now, out of turn, so a partner that has just started (or
   * restarted us) gets our echo at once; at most one per {@code keepalive / 4}.
   */
  private void answerOutOfTurn() {
    if (stopped || codec == null) {
      return;
    }
    Instant now = clock.instant();
    if (now.isBefore(lastExtraSendAt.plus(config.global().keepalive().dividedBy(4)))) {
      return;
    }
    lastExtraSendAt = now;
    send(announcedState());
  }

  private void warnRejected(RxResult result, InetSocketAddress from, String detail) {
    Instant now = clock.instant();
    boolean warn;
    synchronized (lastWarned) {
      Instant last = lastWarned.get(result);
      warn = last == null || !now.isBefore(last.plus(WARN_EVERY));
      if (warn) {
        lastWarned.put(result, now);
      }
    }
    if (warn) {
      log.warn(
          "heartbeat rejected ({}) from {}: {} (same kind logged at most once a minute)",
          result.tag(),
          from,
          detail);
    } else {
      log.debug("heartbeat rejected ({}) from {}: {}", result.tag(), from, detail);
    }
  }

  /**
   * RUNNING while active or while a deactivation still holds the VIPs (pulse deactivates before its
   * next heartbeat).
   */
  private HeartbeatState announcedState() {
    return machine.active() || pendingDeactivations.get() > 0
        ? HeartbeatState.RUNNING
        : HeartbeatState.STOPPED;
  }

  private void send(HeartbeatState s) {
    HeartbeatEndpoint ep = endpoint;
    HeartbeatCodec c = codec;
    if (ep == null || c == null) {
      return;
    }
    Heartbeat h = c.authenticated() ? Heartbeat.reporting(s, reportedProblem) : Heartbeat.plain(s);
    int n = ep.send(h);
    for (int i = 0; i < n; i++) {
      metrics.sent();
    }
    if (n < ep.destinations().size()) {
      metrics.actionFailed("heartbeat_send");
    }
  }

  private void dispatch(List<FailoverAction> list) {
    String role = decision.role().label();
    for (FailoverAction a : list) {
      if (a instanceof FailoverAction.Activate act) {
        long e = epoch.incrementAndGet();
        metrics.active(true);
        metrics.failover();
        log.info("director {} active: {}", role, act.reason());
        LvsConfig c = config;
        actions.execute(() -> steps.activate(c, e));
      } else if (a instanceof FailoverAction.Deactivate d) {
        epoch.incrementAndGet();
        metrics.active(false);
        if (!d.initial()) {
          metrics.failover();
          log.info("director {} inactive: {}", role, d.reason());
        } else {
          log.info("director {} starts inactive", role);
        }
        LvsConfig c = config;
        if (!d.initial()) {
          pendingDeactivations.incrementAndGet();
        }
        actions.execute(() -> deactivateSteps(c, d.reason(), d.initial()));
      } else if (a instanceof FailoverAction.SendHeartbeat h) {
        if (h.state() == HeartbeatState.STOPPED) {
          actions.execute(() -> send(HeartbeatState.STOPPED)); // once the VIPs are down
        } else {
          send(HeartbeatState.RUNNING);
        }
      } else if (a instanceof FailoverAction.Reannounce r) {
        log.info("director {}: {}", role, r.reason());
        long e = epoch.get();
        LvsConfig c = config;
        actions.execute(() -> steps.reannounce(c, e));
      }
    }
  }

  /**
   * On the actions thread: the steps; as soon as the VIPs are down, one fewer pending deactivation
   * (unless initial) and a STOPPED heartbeat, so the partner takes over without waiting for the
   * slower steps (sync daemon, fwmark rules).
   */
  private void deactivateSteps(LvsConfig c, String reason, boolean initial) {
    boolean[] counted = {false};
    Runnable vipsDown =
        () -> {
          if (!initial && !counted[0]) {
            counted[0] = true;
            pendingDeactivations.decrementAndGet();
            send(HeartbeatState.STOPPED);
          }
        };
    try {
      steps.deactivate(c, reason, vipsDown);
    } finally {
      vipsDown.run();
    }
  }

  private void publish() {
    status = snapshot();
    metrics.partner(status.partnerState());
  }

  private FailoverStatus snapshot() {
    return new FailoverStatus(
        decision.role(),
        decision.reason(),
        machine.active(),
        partnerAddresses.isEmpty() ? Optional.empty() : Optional.of(partnerAddresses.get(0)),
        partnerAddresses,
        machine.partner(),
        machine.lastHeard(),
        machine.lastReason(),
        machine.lastTransitionAt(),
        codec != null && codec.authenticated(),
        machine.localProblem(),
        machine.partnerProblem());
  }

  private static <T> void ignoredIfChanged(List<String> out, String key, T before, T after) {
    if (!Objects.equals(before, after)) {
      out.add(
          key
              + " changed ("
              + show(before)
              + " -> "
              + show(after)
              + "): not applied until lvs-pulse restarts");
    }
  }

  private static String show(Object o) {
    if (o instanceof Optional<?> opt) {
      return opt.map(Failover::show).orElse("unset");
    }
    if (o instanceof InetAddress a) {
      return Addresses.canonical(a);
    }
    return String.valueOf(o);
  }

  private static String addresses(List<InetAddress> list) {
    List<String> s = new ArrayList<>();
    for (InetAddress a : list) {
      s.add(Addresses.canonical(a));
    }
    return String.join(", ", s);
  }

  /**
   * Builds a {@link Failover}; every dependency but the config has a default except the IPVS
   * backend.
   */
  public static final class Builder {
    private final LvsConfig config;
    private FailoverOptions options = FailoverOptions.defaults();
    private ExecRunner runner = new ExecRunner();
    private @Nullable IpvsBackend ipvs;
    private MeterRegistry registry = new SimpleMeterRegistry();
    private FailoverListener listener = FailoverListener.none();
    private FirewallInstaller firewall = FirewallInstaller.none();
    private InstantSource clock = MonotonicClock.system();
    private @Nullable FailoverScheduler scheduler;
    private @Nullable Executor actions;
    private LocalAddresses localAddresses = LocalAddresses.system();
    private LinkState links = LinkState.sysfs();

    private Builder(LvsConfig config) {
      this.config = Objects.requireNonNull(config);
    }

    public Builder options(FailoverOptions o) {
      this.options = Objects.requireNonNull(o);
      return this;
    }

    public Builder runner(ExecRunner r) {
      this.runner = Objects.requireNonNull(r);
      return this;
    }

    /** The IPVS backend (sync daemon); required. */
    public Builder ipvs(IpvsBackend b) {
      this.ipvs = Objects.requireNonNull(b);
      return this;
    }

    public Builder registry(MeterRegistry r) {
      this.registry = Objects.requireNonNull(r);
      return this;
    }

    public Builder listener(FailoverListener l) {
      this.listener = Objects.requireNonNull(l);
      return this;
    }

    /** Used only when {@code manage_firewall = 1}. */
    public Builder firewall(FirewallInstaller f) {
      this.firewall = Objects.requireNonNull(f);
      return this;
    }

    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /** Default: one daemon thread named {@code failover}. */
    public Builder scheduler(FailoverScheduler s) {
      this.scheduler = Objects.requireNonNull(s);
      return this;
    }

    /** Where activation steps run; default one daemon thread. Tests pass {@code Runnable::run}. */
    public Builder actionExecutor(Executor e) {
      this.actions = Objects.requireNonNull(e);
      return this;
    }

    public Builder localAddresses(LocalAddresses l) {
      this.localAddresses = Objects.requireNonNull(l);
      return this;
    }

    public Builder linkState(LinkState l) {
      this.links = Objects.requireNonNull(l);
      return this;
    }

    /**
     * Decides the role and reads the heartbeat key.
     *
     * @throws FailoverConfigException the role cannot be found, {@code backup_active = 0} on the
     *     backup, the key file is unreadable or too short
     */
    public Failover build() throws FailoverConfigException {
      if (ipvs == null) {
        throw new IllegalStateException("an IpvsBackend is required (DryRunBackend for dry runs)");
      }
      if (config.global().keepalive().isZero() || config.global().keepalive().isNegative()) {
        throw new FailoverConfigException(
            "keepalive must be positive: " + config.global().keepalive());
      }
      if (config.global().deadtime().compareTo(config.global().keepalive()) <= 0
          && config.global().hasBackup()) {
        log.warn(
            "deadtime ({} ms) is not above keepalive ({} ms): one lost heartbeat means a failover",
            config.global().deadtime().toMillis(),
            config.global().keepalive().toMillis());
      }
      RoleDetector.Decision d =
          RoleDetector.detect(config.global(), localAddresses, options.role());
      return new Failover(this, d);
    }
  }

  @Override
  public String toString() {
    return "Failover["
        + decision.role().label()
        + ", partner "
        + Arrays.toString(partnerAddresses.toArray())
        + "]";
  }
}
