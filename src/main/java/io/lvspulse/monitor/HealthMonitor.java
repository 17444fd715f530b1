package io.lvspulse.monitor;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Network;
import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.logging.LogSafe;
import io.lvspulse.net.Addresses;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.ProbeSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every active real server of every active virtual service: schedules its probe, feeds the
 * results to its {@link ServerStateMachine}, logs each transition with its reason, counts metrics,
 * and tells the IPVS side (the {@code listener}) whenever what belongs in IPVS changed.
 *
 * <p>One thread (the "monitor loop") owns all state; probe completions and timer ticks arrive on it
 * as tasks, so no state is shared or locked. The probe scheduler only starts probes.
 *
 * <p>A reload ({@link #reload}) applies only the difference: unchanged servers keep their state; a
 * server whose probe settings ({@link ProbeSpec}) changed keeps its state and gets the new probe; a
 * removed server is drained (weight 0) and deleted after its virtual service's persistence time; an
 * added server starts as a new one.
 *
 * <p>A probe that fails for a fault of this director ({@link ProbeResult.Outcome#LOCAL_ERROR}: no
 * descriptors, socket buffers or memory) changes no server's state: it starts or extends a {@link
 * LocalProblem} ({@link LocalHealth}), logged once at WARN when it starts and at INFO when it ends,
 * counted in {@value #LOCAL_ERRORS}{@code _total} and shown by the gauge {@value #LOCAL_PROBLEM}.
 */
public final class HealthMonitor implements AutoCloseable, LocalHealth {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  /**
   * Metric names (Prometheus adds {@code _total} / {@code _seconds}). {@link #UP} and {@link
   * #WEIGHT} are not Micrometer meters: their values live in {@link #serverGauges()}, read at
   * scrape time.
   */
  public static final String UP = "lvs_pulse_real_server_up";

  public static final String WEIGHT = "lvs_pulse_real_server_weight";

  /**
   * 1 for the server's current admin state (label {@code state}: enabled, drain, maintenance), 0
   * for the other two; read at scrape time from {@link #serverGauges()} like {@link #UP}.
   */
  public static final String ADMIN_STATE = "lvs_pulse_real_server_admin_state";

  public static final String PROBES = "lvs_pulse_probes";
  public static final String PROBE_DURATION = "lvs_pulse_probe_duration";
  public static final String TRANSITIONS = "lvs_pulse_real_server_transitions";

  /**
   * Per-server log lines over the budget, summarised instead of written ({@link StateChangeLog}).
   */
  public static final String LOG_LINES_SUPPRESSED = "lvs_pulse_log_lines_suppressed";

  /** How many recent server events snapshots carry (for /status and the web page). */
  public static final int RECENT_EVENTS = 50;

  /** Probes that failed for a fault of this director (no evidence about the server). */
  public static final String LOCAL_ERRORS = "lvs_pulse_probe_local_errors";

  /** 1 while a {@link LocalProblem} lasts, else 0. */
  public static final String LOCAL_PROBLEM = "lvs_pulse_local_problem";

  /** The shortest time without a local error that ends a local problem. */
  static final Duration MIN_LOCAL_PROBLEM_HOLD = Duration.ofSeconds(10);

  private static final Duration[] PROBE_BUCKETS = {
    Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
    Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
    Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
  };

  private final ProbeSource probes;
  private final ProbeScheduler scheduler;
  private final InstantSource clock;
  private final MeterRegistry registry;
  private final Consumer<MonitorSnapshot> listener;
  private final ScheduledExecutorService loop;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final LiveServerGauges gauges = new LiveServerGauges();
  private final Map<String, Timer> durationByVirtual = new HashMap<>();
  private final StateChangeLog changes;

  /** The last {@link #RECENT_EVENTS} health transitions and admin changes, oldest first. */
  private final java.util.ArrayDeque<ServerEvent> recent = new java.util.ArrayDeque<>();

  private @Nullable LvsConfig config;
  private Instant startedAt;
  private volatile boolean closed;
  private volatile @Nullable Thread loopThread;
  private boolean publishPending;

  /** The current local problem (the loop's), and its copy for readers on other threads. */
  private @Nullable LocalProblem localProblem;

  private volatile Optional<LocalProblem> localProblemView = Optional.empty();
  private final List<Consumer<Optional<LocalProblem>>> localProblemListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Counter localErrors;

  private static final class Entry {
    final ServerId id;

    /**
     * {@code id.toString()}, computed once: the sort key of snapshots and the scheduler's job name.
     */
    final String key;

    VirtualService virtual;
    RealServer server;
    final ServerStateMachine sm;

    /** The probe and what it does, for logs and /status. */
    ConfiguredProbe probe;

    /**
     * The probe's settings, shared by every server of the virtual service; a reload that gives an
     * equal spec keeps the probe (the server's address and port are its identity, so they never
     * change for an entry).
     */
    ProbeSpec spec;

    long generation;
    boolean inFlight;
    @Nullable ProbeResult last;
    @Nullable Instant lastAt;
    boolean draining;
    @Nullable Instant drainUntil;

    /** While draining: the forwarding method of the config that had the server. */
    @Nullable Network drainNetwork;

    /** The operator's admin state (enabled unless changed or restored from the state file). */
    Admin admin;

    /** This server's up and weight values in {@link #gauges}; set by {@link #add}. */
    LiveServerGauges.@Nullable Holder gauge;

    Entry(
        ServerId id,
        VirtualService v,
        RealServer rs,
        ServerStateMachine sm,
        ConfiguredProbe probe,
        ProbeSpec spec) {
      this.id = id;
      this.key = id.toString();
      this.virtual = v;
      this.server = rs;
      this.sm = sm;
      this.probe = probe;
      this.spec = spec;
      this.admin = Admin.enabled(sm.since());
    }
  }

  public HealthMonitor(
      ProbeSource probes,
      ProbeScheduler scheduler,
      InstantSource clock,
      MeterRegistry registry,
      Consumer<MonitorSnapshot> listener) {
    this.probes = Objects.requireNonNull(probes);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.clock = Objects.requireNonNull(clock);
    this.registry = Objects.requireNonNull(registry);
    this.listener = Objects.requireNonNull(listener);
    this.startedAt = clock.instant();
    this.changes =
        new StateChangeLog(
            log,
            clock::millis,
            StateChangeLog.DEFAULT_BURST,
            StateChangeLog.DEFAULT_PER_SECOND,
            Counter.builder(LOG_LINES_SUPPRESSED)
                .description(
                    "Log lines about single servers (state changes, slow-start steps) over the"
                        + " log budget: counted in a summary line instead of written")
                .register(registry));
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lvs-pulse-monitor");
              t.setDaemon(true);
              loopThread = t;
              return t;
            });
    this.localErrors =
        Counter.builder(LOCAL_ERRORS)
            .description(
                "Probes that failed for a fault of this director (descriptors, buffers, memory):"
                    + " no server's state changed")
            .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            LOCAL_PROBLEM, this, m -> m.localProblemView.isPresent() ? 1 : 0)
        .description("1 while probes fail for a fault of this director (a local problem), else 0")
        .register(registry);
  }

  @Override
  public Optional<LocalProblem> localProblem() {
    return localProblemView;
  }

  @Override
  public void onLocalProblemChange(Consumer<Optional<LocalProblem>> listener) {
    localProblemListeners.add(Objects.requireNonNull(listener));
  }

  /**
   * How long a local problem lasts after its last local error: twice the longest probe interval of
   * {@code config}'s active virtual services, at least 10 s.
   */
  public static Duration localProblemHold(LvsConfig config) {
    Duration longest = Duration.ZERO;
    for (VirtualService v : config.activeVirtuals()) {
      if (v.probeInterval().compareTo(longest) > 0) {
        longest = v.probeInterval();
      }
    }
    Duration twice = longest.multipliedBy(2);
    return twice.compareTo(MIN_LOCAL_PROBLEM_HOLD) > 0 ? twice : MIN_LOCAL_PROBLEM_HOLD;
  }

  /** What the kernel's table already holds at start: the weight of a server, if it is there. */
  @FunctionalInterface
  public interface KernelWeights {
    java.util.OptionalInt weight(VirtualService v, RealServer rs);

    /** Nothing adopted: every server starts out of IPVS. */
    KernelWeights NONE = (v, rs) -> java.util.OptionalInt.empty();
  }

  /**
   * Starts monitoring {@code initial}: schedules every probe (first runs spread over the interval).
   */
  public void start(LvsConfig initial) {
    start(initial, KernelWeights.NONE);
  }

  /**
   * Starts monitoring {@code initial}, adopting the servers {@code kernel} already holds (a
   * restart): each stays in IPVS at the kernel's weight until its own first probe decides, so a
   * restart changes nothing in the table.
   */
  public void start(LvsConfig initial, KernelWeights kernel) {
    start(initial, kernel, Map.of());
  }

  /**
   * Starts monitoring {@code initial} as {@link #start(LvsConfig, KernelWeights)} does, with the
   * admin states {@code restored} (the state file of the previous run) applied to the servers the
   * config still has; the others are dropped (logged).
   */
  public void start(LvsConfig initial, KernelWeights kernel, Map<ServerId, Admin> restored) {
    call(
        () -> {
          startedAt = clock.instant();
          config = initial;
          Map<String, List<Entry>> added = new LinkedHashMap<>();
          for (VirtualService v : initial.activeVirtuals()) {
            ProbeSpec spec = v.probe();
            for (RealServer rs : v.activeServers()) {
              Entry e = add(v, spec, rs);
              java.util.OptionalInt w = kernel.weight(v, rs);
              if (w.isPresent()) {
                e.sm.adopt(w.getAsInt());
                updateGauges(e);
                log.info(
                    "server {} found in the kernel's table at weight {}: kept until its first probe",
                    e.id,
                    w.getAsInt());
              }
              added.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(e);
            }
            warnUnsupported(v);
          }
          restoreAdmin(restored);
          added.values().forEach(this::scheduleSpread);
          log.info(
              "monitoring {} real servers of {} active virtual services",
              entries.size(),
              initial.activeVirtuals().size());
          publish();
          return null;
        });
    scheduler.start();
    loop.scheduleWithFixedDelay(this::tickSafely, 1, 1, TimeUnit.SECONDS);
  }

  /** Applies a new, already validated config, keeping the state of unchanged servers. */
  public void reload(LvsConfig next) {
    call(
        () -> {
          applyReload(next);
          return null;
        });
  }

  /** A consistent snapshot of everything (taken on the monitor loop). */
  public MonitorSnapshot snapshot() {
    return call(this::buildSnapshot);
  }

  /**
   * Sets the admin state of server {@code id} (probes go on whatever the state). Setting the state
   * a server already has changes nothing (its {@code since} stays). A server in maintenance that is
   * not in IPVS now is drained at once: it is never added.
   *
   * @param by who asks, for the log and /status ({@code socket uid 0 (root)}, {@code http ...})
   * @return the server's admin state afterwards, or empty when no monitored server has this id (a
   *     server removed by a reload and still draining counts as gone)
   */
  public Optional<Admin> setAdmin(ServerId id, AdminState state, String by) {
    return call(
        () -> {
          Entry e = entries.get(id.toString());
          if (e == null || e.draining) {
            return Optional.<Admin>empty();
          }
          Admin before = e.admin;
          Instant now = clock.instant();
          Admin after = before.to(state, now, by);
          if (after == before) {
            return Optional.of(before);
          }
          if (after.awaitingDrain() && !e.sm.inIpvs()) {
            after = after.drained(now);
          }
          e.admin = after;
          log.info(
              "server {} admin {} -> {} by {}: {}",
              e.id,
              before.state().label(),
              after.state().label(),
              by,
              e.admin.action());
          remember(
              new ServerEvent(
                  e.id,
                  ServerEvent.Kind.ADMIN,
                  before.state().label(),
                  after.state().label(),
                  "by " + by,
                  now));
          updateGauges(e);
          publish();
          return Optional.of(after);
        });
  }

  /**
   * A server in maintenance since {@code maintenanceSince} has no connection left (the director
   * asked the kernel): it leaves IPVS. Ignored when the server has left maintenance or entered it
   * again since (another {@code since}), or is drained already.
   *
   * @param why what showed it drained, for the log
   * @return whether the server was marked drained
   */
  public boolean markDrained(ServerId id, Instant maintenanceSince, String why) {
    return call(
        () -> {
          Entry e = entries.get(id.toString());
          if (e == null || !e.admin.awaitingDrain() || !e.admin.since().equals(maintenanceSince)) {
            return false;
          }
          e.admin = e.admin.drained(clock.instant());
          log.info(
              "server {} in maintenance is drained ({}): out of IPVS, probes go on", e.id, why);
          updateGauges(e);
          publish();
          return true;
        });
  }

  /** Every server's admin state that is not the default (what the state file keeps). */
  public Map<ServerId, Admin> adminStates() {
    return call(
        () -> {
          Map<ServerId, Admin> m = new java.util.TreeMap<>();
          for (Entry e : entries.values()) {
            if (!e.draining && e.admin.state() != AdminState.ENABLED) {
              m.put(e.id, e.admin);
            }
          }
          return m;
        });
  }

  /**
   * The live up and weight values of every monitored server, for a metrics collector that reads
   * them at scrape time (thread-safe; a server leaves it when it is deleted).
   */
  public ServerGauges serverGauges() {
    return gauges;
  }

  /** The running config. */
  public LvsConfig config() {
    return call(() -> Objects.requireNonNull(config));
  }

  /** Runs a tick now (tests with a manual clock). */
  void tickNow() {
    call(
        () -> {
          tick();
          return null;
        });
  }

  /** Fires one server's probe now (tests with a manual scheduler). */
  void fireNow(ServerId id) {
    call(
        () -> {
          fire(id.toString());
          return null;
        });
  }

  /**
   * Waits until every task queued so far on the loop has run, and the tasks those queued: a probe
   * result queues its coalesced publish behind whatever is already waiting.
   */
  void awaitIdle() {
    for (int i = 0; i < 3; i++) {
      call(() -> null);
    }
  }

  private void applyReload(LvsConfig next) {
    Instant now = clock.instant();
    Map<String, Entry> keep = new HashMap<>();
    Map<String, List<Entry>> added = new LinkedHashMap<>();
    int changedProbes = 0;
    for (VirtualService v : next.activeVirtuals()) {
      warnUnsupported(v);
      ProbeSpec spec = v.probe();
      for (RealServer rs : v.activeServers()) {
        ServerId id = ServerId.of(v.name(), rs.address(), rs.port());
        Entry e = entries.get(id.toString());
        if (e == null) {
          e = add(v, spec, rs);
          added.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(e);
          log.info("server {} added by reload", id);
        } else {
          if (e.draining) {
            log.info("server {} is back in the config: no longer draining", id);
            e.draining = false;
            e.drainUntil = null;
            e.drainNetwork = null;
          }
          e.virtual = v;
          e.server = rs;
          e.sm.reconfigure(policy(v, rs), now);
          boolean same = spec.equals(e.spec);
          e.spec = spec;
          if (!same) {
            e.probe = probes.create(spec, rs);
            e.generation++;
            e.inFlight = false;
            scheduler.schedule(
                id.toString(), v.probeInterval(), Duration.ZERO, firer(id.toString()));
            changedProbes++;
            log.info("server {}: probe changed by reload, now {}", id, e.probe.description());
          }
          updateGauges(e);
        }
        keep.put(id.toString(), e);
      }
    }
    for (Entry e : new ArrayList<>(entries.values())) {
      if (keep.containsKey(e.id.toString()) || e.draining) {
        continue;
      }
      scheduler.unschedule(e.id.toString());
      e.generation++;
      e.inFlight = false;
      if (e.sm.inIpvs() && e.virtual.persistentSeconds() > 0) {
        e.draining = true;
        e.drainUntil = now.plusSeconds(e.virtual.persistentSeconds());
        // It stays in IPVS as it is now: the running (previous) config's forwarding method.
        e.drainNetwork = Objects.requireNonNull(config).global().network();
        log.info(
            "server {} removed by reload: draining at weight 0 until {} (persistence {} s)",
            e.id,
            e.drainUntil,
            e.virtual.persistentSeconds());
      } else {
        log.info("server {} removed by reload: deleted", e.id);
        remove(e);
      }
      updateGauges(e);
    }
    added.values().forEach(this::scheduleSpread);
    config = next;
    log.info(
        "config reloaded: {} servers monitored, {} added, {} probes changed, {} draining",
        keep.size(),
        added.values().stream().mapToInt(List::size).sum(),
        changedProbes,
        entries.values().stream().filter(x -> x.draining).count());
    publish();
  }

  private void restoreAdmin(Map<ServerId, Admin> restored) {
    for (Map.Entry<ServerId, Admin> r : restored.entrySet()) {
      Entry e = entries.get(r.getKey().toString());
      Admin a = r.getValue();
      if (e == null) {
        log.info(
            "admin state {} of server {} dropped: the config has no such server any more",
            a.state().label(),
            r.getKey());
        continue;
      }
      if (a.awaitingDrain() && !e.sm.inIpvs()) {
        a = a.drained(clock.instant()); // not in the kernel's table: nothing left to drain
      }
      e.admin = a;
      updateGauges(e);
      log.info(
          "server {} admin state {} (set {} by {}) restored from the state file: {}",
          e.id,
          a.state().label(),
          a.since(),
          a.by(),
          e.admin.action());
    }
  }

  private void remember(ServerEvent ev) {
    if (recent.size() == RECENT_EVENTS) {
      recent.removeFirst();
    }
    recent.addLast(ev);
  }

  private Entry add(VirtualService v, ProbeSpec spec, RealServer rs) {
    ServerId id = ServerId.of(v.name(), rs.address(), rs.port());
    Entry e =
        new Entry(
            id,
            v,
            rs,
            new ServerStateMachine(policy(v, rs), clock.instant()),
            probes.create(spec, rs),
            spec);
    entries.put(e.key, e);
    e.gauge =
        gauges.add(
            e.key, v.name(), rs.name(), Addresses.canonical(rs.address()), portLabel(rs.port()));
    updateGauges(e);
    return e;
  }

  private void remove(Entry e) {
    entries.remove(e.key);
    gauges.remove(e.key);
    e.gauge = null;
  }

  /** Port label values are shared: 10,000 servers on port 69 need one "69", not 10,000. */
  private static String portLabel(int port) {
    return Integer.toString(port).intern();
  }

  private void scheduleSpread(List<Entry> group) {
    int n = group.size();
    for (int i = 0; i < n; i++) {
      Entry e = group.get(i);
      Duration interval = e.virtual.probeInterval();
      Duration offset = interval.multipliedBy(i).dividedBy(Math.max(1, n));
      scheduler.schedule(e.id.toString(), interval, offset, firer(e.id.toString()));
    }
  }

  private Runnable firer(String name) {
    return () -> {
      if (!closed) {
        loop.execute(() -> fire(name));
      }
    };
  }

  private void fire(String name) {
    Entry e = entries.get(name);
    if (e == null || e.draining) {
      return;
    }
    if (e.inFlight) {
      log.debug("server {}: previous probe still running, skipping this run", e.id);
      return;
    }
    e.inFlight = true;
    long gen = e.generation;
    CompletableFuture<ProbeResult> f;
    try {
      f = e.probe.start();
    } catch (RuntimeException ex) {
      f =
          CompletableFuture.completedFuture(
              ProbeResult.failure(
                  FailureCause.IO_ERROR, ex, "probe failed to start: " + ex, Duration.ZERO));
    }
    f.whenComplete(
        (r, ex) -> {
          ProbeResult res =
              r != null
                  ? r
                  : ProbeResult.failure(
                      FailureCause.IO_ERROR,
                      ex == null ? new IllegalStateException("no result") : ex,
                      "probe failed: " + ex,
                      Duration.ZERO);
          if (!closed) {
            loop.execute(() -> onResult(name, gen, res));
          }
        });
  }

  private void onResult(String name, long gen, ProbeResult r) {
    Entry e = entries.get(name);
    if (e == null || e.generation != gen) {
      return;
    }
    e.inFlight = false;
    Instant now = clock.instant();
    e.last = r;
    e.lastAt = now;
    String result =
        r.success() ? "ok" : r.cause().map(c -> c.name().toLowerCase(Locale.ROOT)).orElse("failed");
    Counter.builder(PROBES)
        .description("Probes finished, by result (ok or the failure cause)")
        .tags("virtual", e.virtual.name(), "result", result)
        .register(registry)
        .increment();
    durationTimer(e.virtual.name()).record(r.elapsed());
    if (r.outcome() == ProbeResult.Outcome.LOCAL_ERROR) {
      noteLocalError(e, r, now); // no evidence about the server: it keeps its state
      return;
    }
    int weightBefore = e.sm.ipvsWeight();
    boolean inBefore = e.sm.inIpvs();
    Optional<Transition> t = e.sm.onProbe(r.outcome(), r.message(), now);
    t.ifPresent(tr -> logTransition(e, tr, r));
    if (e.admin.awaitingDrain() && !e.sm.inIpvs()) {
      e.admin = e.admin.drained(now); // health took it out: nothing left to drain
      log.info("server {} in maintenance left IPVS by its health: drained", e.id);
    }
    updateGauges(e);
    if (weightBefore != e.sm.ipvsWeight() || inBefore != e.sm.inIpvs() || t.isPresent()) {
      publish();
    }
  }

  private void noteLocalError(Entry e, ProbeResult r, Instant now) {
    localErrors.increment();
    LocalProblem p = localProblem;
    if (p == null) {
      log.warn(
          "local problem: {} (server {}): probe results say nothing about the servers, which keep"
              + " their state until it is over",
          r.message(),
          e.id);
      setLocalProblem(new LocalProblem(r.message(), now, now, 1));
    } else {
      localProblem = p.seenAgain(now);
      localProblemView = Optional.of(localProblem);
    }
  }

  private void setLocalProblem(@Nullable LocalProblem p) {
    localProblem = p;
    Optional<LocalProblem> view = Optional.ofNullable(p);
    localProblemView = view;
    for (Consumer<Optional<LocalProblem>> l : localProblemListeners) {
      try {
        l.accept(view);
      } catch (RuntimeException ex) {
        log.error("local problem listener failed", ex);
      }
    }
    publish();
  }

  private void expireLocalProblem(Instant now) {
    LocalProblem p = localProblem;
    if (p == null || config == null) {
      return;
    }
    Duration hold = localProblemHold(config);
    if (Duration.between(p.lastSeen(), now).compareTo(hold) >= 0) {
      log.info(
          "local problem over: no local error for {} s ({} local errors since {}: {})",
          hold.toSeconds(),
          p.errors(),
          p.since(),
          p.reason());
      setLocalProblem(null);
    }
  }

  private Timer durationTimer(String virtual) {
    return durationByVirtual.computeIfAbsent(
        virtual,
        v ->
            Timer.builder(PROBE_DURATION)
                .description("Duration of health probes (the round-trip time on success)")
                .tags("virtual", v)
                .serviceLevelObjectives(PROBE_BUCKETS)
                .register(registry));
  }

  private void logTransition(Entry e, Transition tr, ProbeResult r) {
    remember(
        new ServerEvent(
            e.id,
            ServerEvent.Kind.HEALTH,
            tr.from().label(),
            tr.to().label(),
            r.message(),
            tr.at()));
    Counter.builder(TRANSITIONS)
        .description("Real-server health transitions, by new state")
        .tags("virtual", e.virtual.name(), "to", tr.to().label())
        .register(registry)
        .increment();
    String action;
    if (tr.to() == Health.UP) {
      action =
          "in IPVS at weight "
              + e.sm.ipvsWeight()
              + (e.sm.ipvsWeight() < e.sm.policy().weight()
                  ? " (slow start to " + e.sm.policy().weight() + ")"
                  : "");
    } else if (e.sm.inIpvs()) {
      action = "quiesced to weight 0";
    } else {
      action = tr.from() == Health.UNKNOWN ? "not added to IPVS" : "removed from IPVS";
    }
    if (e.admin.state() != AdminState.ENABLED) {
      action += "; admin " + e.admin.state().label() + ": " + e.admin.action();
    }
    String rtt =
        r.success() ? String.format(Locale.ROOT, " in %.1f ms", r.elapsed().toNanos() / 1e6) : "";
    changes.info(
        tr.from().label() + " -> " + tr.to().label(),
        e.id,
        "server {} {} -> {}: {}{} ({}; {})",
        e.id,
        tr.from().label(),
        tr.to().label(),
        LogSafe.escape(r.message()), // a TFTP server's error text or a program's output
        rtt,
        action,
        describeCause(r));
  }

  private static String describeCause(ProbeResult r) {
    return r.cause().map(c -> "cause " + c.name().toLowerCase(Locale.ROOT)).orElse("probe ok");
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("monitor tick failed", e);
    }
  }

  private void tick() {
    Instant now = clock.instant();
    expireLocalProblem(now);
    boolean changed = false;
    for (Entry e : new ArrayList<>(entries.values())) {
      if (e.draining) {
        if (e.drainUntil != null && !now.isBefore(e.drainUntil)) {
          changes.info("drained", e.id, "server {} drained: deleting it from IPVS", e.id);
          remove(e);
          changed = true;
        }
        continue;
      }
      if (e.sm.onTick(now)) {
        changes.info(
            "slow start",
            e.id,
            "server {} slow start: weight {} of {}",
            e.id,
            e.sm.ipvsWeight(),
            e.sm.policy().weight());
        updateGauges(e);
        changed = true;
      }
    }
    if (changed) {
      publish();
    }
    changes.flush();
  }

  private void updateGauges(Entry e) {
    LiveServerGauges.Holder g = e.gauge;
    if (g != null) { // null once the server is deleted
      boolean in = !e.draining && e.admin.inIpvs(e.sm.inIpvs());
      g.set(
          !e.draining && e.sm.health() == Health.UP ? 1 : 0,
          in ? e.admin.weight(e.sm.ipvsWeight()) : 0,
          e.admin.state());
    }
  }

  /**
   * Publishes a snapshot to the listener once the tasks queued so far have run: a burst of probe
   * results (10,000 servers coming up at start) is coalesced into one snapshot instead of one
   * O(servers) snapshot and desired table per transition, which kept the loop from catching up.
   */
  private void publish() {
    if (publishPending || closed) {
      return;
    }
    publishPending = true;
    try {
      loop.execute(
          () -> {
            publishPending = false;
            publishNow();
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      publishPending = false; // closing
    }
  }

  private void publishNow() {
    MonitorSnapshot s = buildSnapshot();
    try {
      listener.accept(s);
    } catch (RuntimeException ex) {
      log.error("monitor listener failed", ex);
    }
  }

  private MonitorSnapshot buildSnapshot() {
    List<ServerView> views = new ArrayList<>(entries.size());
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(
        java.util.Comparator.comparing(
            x -> x.key)); // ServerId order, without building strings per comparison
    for (Entry e : sorted) {
      boolean in = e.draining || e.sm.inIpvs();
      int w = e.draining ? 0 : e.sm.ipvsWeight();
      views.add(
          new ServerView(
              e.id,
              e.virtual,
              e.server,
              e.sm.health(),
              in,
              w,
              e.draining,
              Optional.ofNullable(e.drainUntil),
              e.sm.since(),
              Optional.ofNullable(e.last),
              Optional.ofNullable(e.lastAt),
              e.sm.consecutiveSuccesses(),
              e.sm.consecutiveFailures(),
              e.probe.description(),
              Optional.ofNullable(e.drainNetwork),
              e.admin));
    }
    return new MonitorSnapshot(
        Objects.requireNonNull(config),
        views,
        startedAt,
        clock.instant(),
        Optional.ofNullable(localProblem),
        List.copyOf(recent));
  }

  /** The state-machine rules of one server (Piranha's, with lvs-pulse's extension keys). */
  public static HealthPolicy policy(VirtualService v, RealServer rs) {
    return HealthPolicy.piranha(v.reentryCount(), rs.weight(), v.quiesceServer(), v.slowStart());
  }

  private static void warnUnsupported(VirtualService v) {
    String lm = v.loadMonitor();
    if (!lm.isEmpty() && !"none".equals(lm)) {
      log.warn(
          "virtual {}: load_monitor = {} is not implemented yet; weights follow health and slow start only",
          v.name(),
          lm);
    }
  }

  private <T> T call(java.util.concurrent.Callable<T> task) {
    if (Thread.currentThread() == loopThread) {
      try {
        return task.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      return loop.submit(task).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(c);
    } catch (TimeoutException e) {
      throw new IllegalStateException("monitor loop did not answer within 30 s", e);
    }
  }

  /** Stops probing (IPVS is left as it is). */
  @Override
  public void close() {
    closed = true;
    scheduler.close();
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
