package io.lvspulse.announce;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announcement loop: every {@code interval} it reads the routing daemon's state, evaluates each
 * VIP's {@link AnnouncePolicy} with the director's health, and converges the routing daemon to the
 * decisions ({@code enable}/{@code disable} only where they differ). Because it compares with what
 * the routing daemon reports each time, it converges again after either side restarts: a restarted
 * BIRD has every VIP protocol disabled (bird.conf says {@code disabled}) and is switched on again
 * within one interval; a restarted lvs-pulse starts withdrawn and switches off what an earlier
 * instance left on.
 *
 * <p>A routing daemon that is down, slow or refusing is logged (once per distinct error), counted,
 * shown in {@link #status()}, and retried at the next tick; it never stops the loop.
 *
 * <p>Meters: {@code lvs_pulse_vip_announced{vip}} (1 while the routing daemon reports the VIP
 * announced), {@code lvs_pulse_vip_announce_desired{vip}} (1 while the policy wants it announced),
 * {@code lvs_pulse_vip_announce_reason{vip,reason}} (1 for the current reason), {@code
 * lvs_pulse_vip_announce_changes_total{vip,action}}, {@code lvs_pulse_announce_router_up} (1 while
 * the routing daemon answers), {@code lvs_pulse_bgp_sessions_established} and {@code
 * lvs_pulse_announce_errors_total}.
 *
 * <p>Thread-safe: every evaluation and routing-daemon call runs on one thread.
 */
public final class AnnounceController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnnounceController.class);

  /** The director's health for one VIP, as {@link AnnouncePolicy.Inputs} needs it. */
  public record VipHealth(
      boolean ipvsProgrammed, boolean firstRoundDone, int serversUp, int servers) {}

  /** Supplies the director's health of every VIP at each tick (absent VIP: not programmed). */
  @FunctionalInterface
  public interface HealthSource {
    Map<InetAddress, VipHealth> health();
  }

  /**
   * One VIP in {@link Status}.
   *
   * @param route the VIP and its routing-daemon name
   * @param desired the policy's decision
   * @param routed what the routing daemon reported last (or was told successfully since)
   * @param reason the policy's reason
   * @param detail the policy's sentence
   * @param since when {@code desired} last changed (start, if never)
   * @param error the last routing-daemon error about this VIP, if the last attempt failed
   */
  public record VipStatus(
      VipRoute route,
      boolean desired,
      RoutingState.RouteState routed,
      AnnouncePolicy.Reason reason,
      String detail,
      Instant since,
      Optional<String> error) {}

  /**
   * The loop's state for /status.
   *
   * @param announcer the routing daemon, e.g. {@code bird /run/bird/bird.ctl}
   * @param routerError why the routing daemon could not be asked at the last tick, if it could not
   * @param sessions its BGP sessions at the last successful read
   * @param drained whether an operator drained this director
   * @param stopping whether the director is stopping
   * @param lastTick when the loop last ran
   * @param vips every VIP
   */
  public record Status(
      String announcer,
      Optional<String> routerError,
      List<RoutingState.Session> sessions,
      boolean drained,
      boolean stopping,
      Optional<Instant> lastTick,
      List<VipStatus> vips) {
    public Status {
      sessions = List.copyOf(sessions);
      vips = List.copyOf(vips);
    }
  }

  private final class Vip {
    final VipRoute route;
    final AnnouncePolicy policy;
    final List<Meter> meters = new ArrayList<>();
    final Counter announces;
    final Counter withdraws;
    volatile AnnouncePolicy.Decision decision;
    volatile RoutingState.RouteState routed = RoutingState.RouteState.WITHDRAWN;
    volatile Instant since;
    volatile @Nullable String error;
    boolean removed;

    Vip(VipRoute route, Instant now) {
      this.route = route;
      this.policy = new AnnouncePolicy(settings);
      this.since = now;
      this.decision =
          new AnnouncePolicy.Decision(
              false, AnnouncePolicy.Reason.IPVS_NOT_PROGRAMMED, "withdrawn: starting", false);
      String vip = route.address();
      meters.add(
          Gauge.builder(
                  "lvs_pulse_vip_announced",
                  this,
                  v -> v.routed == RoutingState.RouteState.ANNOUNCED ? 1 : 0)
              .description("1 while the routing daemon announces the VIP from this director")
              .tag("vip", vip)
              .register(registry));
      meters.add(
          Gauge.builder("lvs_pulse_vip_announce_desired", this, v -> v.decision.announce() ? 1 : 0)
              .description("1 while the announce policy wants the VIP announced")
              .tag("vip", vip)
              .register(registry));
      for (AnnouncePolicy.Reason r : AnnouncePolicy.Reason.values()) {
        meters.add(
            Gauge.builder(
                    "lvs_pulse_vip_announce_reason", this, v -> v.decision.reason() == r ? 1 : 0)
                .description("1 for the current reason of the VIP's announcement state")
                .tag("vip", vip)
                .tag("reason", r.label())
                .register(registry));
      }
      announces =
          Counter.builder("lvs_pulse_vip_announce_changes")
              .description("announcements and withdrawals sent to the routing daemon")
              .tag("vip", vip)
              .tag("action", "announce")
              .register(registry);
      withdraws =
          Counter.builder("lvs_pulse_vip_announce_changes")
              .description("announcements and withdrawals sent to the routing daemon")
              .tag("vip", vip)
              .tag("action", "withdraw")
              .register(registry);
      meters.add(announces);
      meters.add(withdraws);
    }
  }

  private final Announcer announcer;
  private final InstantSource clock;
  private final HealthSource health;
  private final MeterRegistry registry;
  private final ScheduledExecutorService loop;
  private final Counter errors;
  // Loop thread only (and the constructor; tests tick by hand on their own thread instead).
  private final Map<VipRoute, Vip> vips = new LinkedHashMap<>();
  private volatile AnnouncePolicy.Settings settings;
  private volatile boolean drained;
  private volatile boolean stopping;
  private volatile @Nullable String routerError;
  private volatile boolean routerUp;
  private volatile List<RoutingState.Session> sessions = List.of();
  private volatile @Nullable Instant lastTick;
  private volatile List<VipStatus> published = List.of();
  // Loop thread only.
  private @Nullable String lastLoggedRouterError;
  private volatile java.util.function.BooleanSupplier drainFlag = () -> false;
  private volatile boolean drainedByFlag;
  // Guarded by this (start()).
  private boolean started;

  /**
   * @param announcer the routing daemon
   * @param settings the policy settings (the loop runs every {@code settings.interval()})
   * @param routes the VIPs to manage
   * @param health the director's health of each VIP
   * @param clock the time source of the policy
   * @param registry where the meters go
   */
  public AnnounceController(
      Announcer announcer,
      AnnouncePolicy.Settings settings,
      Collection<VipRoute> routes,
      HealthSource health,
      InstantSource clock,
      MeterRegistry registry) {
    this.announcer = Objects.requireNonNull(announcer);
    this.settings = Objects.requireNonNull(settings);
    this.health = Objects.requireNonNull(health);
    this.clock = Objects.requireNonNull(clock);
    this.registry = Objects.requireNonNull(registry);
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lvs-pulse-announce");
              t.setDaemon(true);
              return t;
            });
    this.errors =
        Counter.builder("lvs_pulse_announce_errors")
            .description("routing-daemon calls that failed (down, timeout, refused)")
            .register(registry);
    Gauge.builder("lvs_pulse_announce_router_up", this, c -> c.routerUp ? 1 : 0)
        .description("1 while the routing daemon (BIRD) answers on its control socket")
        .register(registry);
    Gauge.builder(
            "lvs_pulse_bgp_sessions_established",
            this,
            c -> c.sessions.stream().filter(RoutingState.Session::established).count())
        .description("BGP sessions of the routing daemon in state Established")
        .register(registry);
    Instant now = clock.instant();
    for (VipRoute r : routes) {
      vips.put(r, new Vip(r, now));
    }
    publish();
  }

  /** Starts the loop: the first tick at once, then every interval. */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    schedule();
  }

  private void schedule() {
    long ms = settings.interval().toMillis();
    loop.scheduleWithFixedDelay(this::safeTick, 0, ms, TimeUnit.MILLISECONDS);
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("announce: tick failed unexpectedly; retrying at the next", e);
    }
  }

  /**
   * One evaluation and convergence pass, on the caller's thread (tests; the loop calls it on its
   * own thread).
   */
  public void tick() {
    Instant now = clock.instant();
    boolean flag;
    try {
      flag = drainFlag.getAsBoolean();
    } catch (RuntimeException e) {
      flag = drainedByFlag;
    }
    if (flag != drainedByFlag) {
      drainedByFlag = flag;
      log.info(
          flag
              ? "announce: drain flag set: director DRAINED, withdrawing every VIP"
              : "announce: drain flag removed: announcing again once healthy");
      drained = flag;
    }
    Map<InetAddress, VipHealth> h;
    try {
      h = health.health();
    } catch (RuntimeException e) {
      log.warn(
          "announce: cannot read the director's health ({}); treating every VIP as down",
          e.toString());
      h = Map.of();
    }
    List<Vip> all = new ArrayList<>(vips.values());
    RoutingState state = null;
    try {
      state = announcer.state(all.stream().map(v -> v.route).toList());
      routerUp = true;
      sessions = state.sessions();
      if (routerError != null) {
        log.info("announce: {} answers again", announcer.describe());
      }
      routerError = null;
      lastLoggedRouterError = null;
    } catch (AnnounceException e) {
      routerUp = false;
      sessions = List.of();
      routerError = e.getMessage();
      errors.increment();
      if (!Objects.equals(lastLoggedRouterError, e.getMessage())) {
        log.warn("announce: cannot read {}: {}", announcer.describe(), e.getMessage());
        lastLoggedRouterError = e.getMessage();
      }
    }
    boolean bgp = state != null && state.anyEstablished();
    for (Vip v : all) {
      VipHealth vh = h.get(v.route.vip());
      AnnouncePolicy.Inputs in =
          new AnnouncePolicy.Inputs(
              vh != null && vh.ipvsProgrammed() && !v.removed,
              vh != null && vh.firstRoundDone(),
              vh == null ? 0 : vh.serversUp(),
              vh == null ? 0 : vh.servers(),
              bgp,
              drained,
              stopping || v.removed);
      AnnouncePolicy.Decision d = v.policy.evaluate(now, in);
      if (d.changed()) {
        v.since = now;
        log.info(
            "announce: VIP {} {} ({})",
            v.route,
            d.announce() ? "ANNOUNCE" : "WITHDRAW",
            d.detail());
      } else if (d.reason() != v.decision.reason() && !d.announce()) {
        log.info("announce: VIP {} stays withdrawn: {}", v.route, d.detail());
      }
      v.decision = d;
      if (state != null) {
        converge(v, state.route(v.route), d.announce());
      }
    }
    for (Vip v : all) {
      if (v.removed
          && (v.routed == RoutingState.RouteState.WITHDRAWN
              || v.routed == RoutingState.RouteState.MISSING)) {
        vips.remove(v.route);
        v.meters.forEach(registry::remove);
      }
    }
    lastTick = now;
    publish();
  }

  private void converge(Vip v, RoutingState.RouteState actual, boolean announce) {
    v.routed = actual;
    if (actual == RoutingState.RouteState.MISSING) {
      String msg =
          "BIRD has no protocol "
              + v.route.protocol()
              + " for VIP "
              + v.route.address()
              + ": add it to bird.conf (`lvs-pulse announce --print-bird-config` prints it)";
      if (!msg.equals(v.error)) {
        log.error("announce: {}", msg);
      }
      v.error = msg;
      return;
    }
    boolean want = announce;
    boolean have = actual == RoutingState.RouteState.ANNOUNCED;
    boolean off = actual == RoutingState.RouteState.WITHDRAWN;
    if ((want && have) || (!want && off)) {
      v.error = null;
      return;
    }
    try {
      if (want) {
        announcer.announce(v.route);
        v.announces.increment();
        v.routed = RoutingState.RouteState.ANNOUNCED;
      } else {
        announcer.withdraw(v.route);
        v.withdraws.increment();
        v.routed = RoutingState.RouteState.WITHDRAWN;
      }
      log.info(
          "announce: {} {} via {}", want ? "announced" : "withdrew", v.route, announcer.describe());
      v.error = null;
    } catch (AnnounceException e) {
      errors.increment();
      if (!e.getMessage().equals(v.error)) {
        log.warn("announce: VIP {}: {}", v.route, e.getMessage());
      }
      v.error = e.getMessage();
    }
  }

  private void publish() {
    List<VipStatus> out = new ArrayList<>();
    for (Vip v : vips.values()) {
      AnnouncePolicy.Decision d = v.decision;
      out.add(
          new VipStatus(
              v.route,
              d.announce(),
              v.routed,
              d.reason(),
              d.detail(),
              v.since,
              Optional.ofNullable(v.error)));
    }
    published = List.copyOf(out);
  }

  /**
   * Replaces the VIP set and settings (a reload). A VIP that left is withdrawn at the next tick and
   * then forgotten; a new one starts withdrawn.
   */
  public void reconfigure(Collection<VipRoute> routes, AnnouncePolicy.Settings newSettings) {
    runOnLoop(
        () -> {
          boolean intervalChanged = !newSettings.interval().equals(settings.interval());
          settings = newSettings;
          Instant now = clock.instant();
          for (Vip v : vips.values()) {
            v.removed = !routes.contains(v.route);
            v.policy.updateSettings(newSettings);
          }
          for (VipRoute r : routes) {
            vips.computeIfAbsent(r, k -> new Vip(k, now));
          }
          publish();
          if (intervalChanged) {
            log.info("announce_interval changes take effect at restart");
          }
        },
        Duration.ofSeconds(10));
  }

  /**
   * Drains (true: every VIP withdrawn at once) or undrains (false: announced again after the rise
   * time) this director, and converges at once.
   */
  public void setDrained(boolean on, Duration timeout) {
    if (drained != on) {
      log.info(on ? "announce: director DRAINED: withdrawing every VIP" : "announce: drain ended");
    }
    drained = on;
    runOnLoop(this::tick, timeout);
  }

  public boolean drained() {
    return drained;
  }

  /**
   * Watches a drain flag (e.g. a file's existence) at every tick: when it turns on, the director is
   * drained; when it turns off, undrained. {@link #setDrained} still works in between.
   */
  public void watchDrain(java.util.function.BooleanSupplier flag) {
    this.drainFlag = Objects.requireNonNull(flag);
  }

  /**
   * Stopping: withdraws every VIP at once and waits (at most {@code timeout}) for the routing
   * daemon to confirm. Final: later ticks keep everything withdrawn. Returns true when every VIP is
   * withdrawn.
   */
  public boolean withdrawAll(Duration timeout) {
    stopping = true;
    log.info("announce: stopping: withdrawing every VIP first");
    runOnLoop(this::tick, timeout);
    return published.stream().allMatch(v -> v.routed() != RoutingState.RouteState.ANNOUNCED);
  }

  private void runOnLoop(Runnable r, Duration timeout) {
    Future<?> f;
    try {
      f = loop.submit(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // closed
    }
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.error("announce: {}", Objects.requireNonNullElse(e.getCause(), e).toString());
    } catch (TimeoutException e) {
      log.warn("announce: the routing daemon did not finish within {} ms", timeout.toMillis());
    }
  }

  /** The loop's state. */
  public Status status() {
    return new Status(
        announcer.describe(),
        Optional.ofNullable(routerError),
        sessions,
        drained,
        stopping,
        Optional.ofNullable(lastTick),
        published);
  }

  public AnnouncePolicy.Settings settings() {
    return settings;
  }

  /** Stops the loop (announcements stay as they are; {@link #withdrawAll} first to withdraw). */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    announcer.close();
  }
}
