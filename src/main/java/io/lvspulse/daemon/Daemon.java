package io.lvspulse.daemon;

import io.lvspulse.admin.AdminService;
import io.lvspulse.admin.AdminStateFile;
import io.lvspulse.admin.ApiToken;
import io.lvspulse.admin.ControlSocket;
import io.lvspulse.admin.PartnerRelay;
import io.lvspulse.announce.BirdAnnouncer;
import io.lvspulse.announce.BirdControl;
import io.lvspulse.config.ConfigException;
import io.lvspulse.config.Diagnostic;
import io.lvspulse.config.GlobalSettings;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.ParsedConfig;
import io.lvspulse.director.DrainWatcher;
import io.lvspulse.director.IpvsController;
import io.lvspulse.director.KernelAdoption;
import io.lvspulse.director.SysctlCheck;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.failover.AdminRelayCodec;
import io.lvspulse.failover.Failover;
import io.lvspulse.failover.FailoverConfigException;
import io.lvspulse.failover.FailoverListener;
import io.lvspulse.failover.FailoverOptions;
import io.lvspulse.failover.HeartbeatEndpoint;
import io.lvspulse.failover.HeartbeatKey;
import io.lvspulse.failover.Role;
import io.lvspulse.firewall.FirewallInstaller;
import io.lvspulse.firewall.FirewallRules;
import io.lvspulse.firewall.NftFirewallInstaller;
import io.lvspulse.http.AdminApi;
import io.lvspulse.http.StatusRenderer;
import io.lvspulse.http.StatusServer;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsReconciler;
import io.lvspulse.ipvs.IpvsTimeouts;
import io.lvspulse.ipvs.IpvsadmBackend;
import io.lvspulse.ipvs.MeteredIpvsBackend;
import io.lvspulse.metrics.Metrics;
import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.HealthMonitor;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.QuartzProbeScheduler;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.probe.ProbeSource;
import io.lvspulse.time.MonotonicClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lvs-pulse director: reads the config, probes every real server, programs IPVS, serves HTTP,
 * re-reads the config on SIGHUP (an invalid file keeps the running config, and so does a valid one
 * that would withdraw every service unless forced with SIGUSR1), and on stop leaves IPVS as it is
 * unless asked to clean up.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  /** Micrometer names. */
  public static final String RELOADS = "lvs_pulse_config_reloads";

  public static final String SERIAL = "lvs_pulse_config_serial_no";

  /** 1 unless the last reload was rejected (as Prometheus's own config_last_reload_successful). */
  public static final String LAST_RELOAD_OK = "lvs_pulse_config_last_reload_successful";

  /** How an operator applies a reload that {@link ReloadGuard} refuses. */
  public static final String FORCE_HINT =
      "if that is what you want, reload with SIGUSR1 (systemctl kill --kill-whom=main"
          + " --signal=SIGUSR1 lvs-pulse)";

  /** A start-up failure with one clear message (the CLI prints it and exits 1). */
  public static final class StartupException extends Exception {
    public StartupException(String message) {
      super(message);
    }
  }

  /**
   * Opens the probe source (the probe kinds and their engines) at start; it is closed on stop if it
   * is {@link AutoCloseable}.
   */
  public interface ProbeSourceFactory {
    ProbeSource create() throws IOException;
  }

  private final DaemonOptions options;
  private final InstantSource clock;
  private final Metrics metrics;
  private final ExecRunner runner = new ExecRunner();
  private final ExecutorService reloader =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "lvs-pulse-reload");
            t.setDaemon(true);
            return t;
          });
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final java.util.concurrent.ScheduledExecutorService healthPoller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lvs-pulse-local-health");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong serial = new AtomicLong();
  private final AtomicInteger lastReloadOk = new AtomicInteger(1);
  private final Counter reloadsOk;
  private final Counter reloadsFailed;
  private final ProbeSourceFactory probeSourceFactory;
  private final LvsConfigParser parser;
  // The parts: each set once in start(), before the HTTP server, the signal handler and the reload
  // thread that read them exist (starting those publishes them); closed in close().
  private @Nullable ProbeSource probeSource;
  private @Nullable IpvsBackend backend;
  private @Nullable IpvsController controller;
  private @Nullable HealthMonitor monitor;
  private @Nullable StatusServer http;
  private @Nullable DrainWatcher drainWatcher;
  private @Nullable AdminService admin;
  private @Nullable ControlSocket controlSocket;
  private @Nullable PartnerAdminChannel relayChannel;
  // Read by the HTTP threads; replaced on reload.
  private volatile Optional<ApiToken> apiToken = Optional.empty();
  private volatile String partnerRelay = "standalone";
  private volatile Optional<StatusRenderer.ReloadResult> lastReload = Optional.empty();
  // Read by /status on the HTTP threads.
  private volatile boolean failoverConfigured;
  private volatile @Nullable Failover failover;
  private volatile @Nullable EcmpDirector ecmp;
  private volatile LvsConfig config;
  private volatile Instant configLoadedAt;
  private volatile boolean closed;
  private volatile boolean started;

  private Daemon(
      DaemonOptions options,
      ParsedConfig parsed,
      ProbeSourceFactory probes,
      LvsConfigParser parser,
      InstantSource clock) {
    this.options = options;
    this.parser = parser;
    this.clock = clock;
    this.config = parsed.config();
    this.configLoadedAt = clock.instant();
    this.probeSourceFactory = probes;
    this.metrics = Metrics.create();
    this.reloadsOk =
        Counter.builder(RELOADS)
            .description("Config reloads (SIGHUP), by result")
            .tag("result", "ok")
            .register(metrics.registry());
    this.reloadsFailed =
        Counter.builder(RELOADS)
            .description("Config reloads (SIGHUP), by result")
            .tag("result", "failed")
            .register(metrics.registry());
    serial.set(config.global().serialNo());
    Gauge.builder(SERIAL, serial, AtomicLong::get)
        .description("serial_no of the running config")
        .register(metrics.registry());
    Gauge.builder(LAST_RELOAD_OK, lastReloadOk, AtomicInteger::get)
        .description("0 while the last config reload was rejected (the old config runs), else 1")
        .register(metrics.registry());
  }

  /** Parses the config (exits with its errors if invalid) and creates the daemon. */
  public static Daemon create(DaemonOptions options, ProbeSourceFactory probes)
      throws StartupException {
    return create(options, probes, new LvsConfigParser());
  }

  /**
   * Creates the daemon with its own parser (tests: the limits of another heap); the parser reads
   * the config at start and on every reload.
   */
  public static Daemon create(
      DaemonOptions options, ProbeSourceFactory probes, LvsConfigParser parser)
      throws StartupException {
    ParsedConfig parsed;
    try {
      parsed = parser.parse(options.config());
    } catch (ConfigException e) {
      List<String> lines = new ArrayList<>();
      e.errors().forEach(d -> lines.add(d.toString()));
      throw new StartupException(String.join("\n", lines));
    }
    parsed.warnings().forEach(w -> log.warn("{}", w));
    return new Daemon(options, parsed, probes, parser, MonotonicClock.system());
  }

  /** Starts every part; throws with one clear message when IPVS or the HTTP port is unavailable. */
  public void start() throws StartupException {
    GlobalSettings g = config.global();
    backend = openBackend(g);
    IpvsBackend metered = new MeteredIpvsBackend(backend, metrics.registry());
    setTimeouts(metered, g, null);
    applySysctls(config);
    IpvsReconciler reconciler =
        new IpvsReconciler(
            metered,
            metrics.registry(),
            IpvsReconciler.RetryPolicy.DEFAULT,
            IpvsReconciler.Sleeper.real());
    boolean ecmpMode = g.ecmp().ecmp();
    boolean useFailover = !ecmpMode && options.failover() && g.primary().isPresent();
    if (ecmpMode) {
      log.info(
          "director_mode = ecmp: every director is active; VIPs on lo, announced through BIRD ({})",
          g.ecmp().birdSocket());
    } else if (options.failover() && !useFailover) {
      log.info(
          "no `primary` in {}: standalone director, always active (no heartbeat)",
          options.config());
    }
    // With the sync daemon the inactive director programs IPVS too (as keepalived does): the
    // connections and persistence templates the sync daemon copies bind to its services and
    // destinations, so a takeover keeps them. Without the VIPs and fwmark rules it carries no
    // traffic. Without the sync daemon it waits for activation, as pulse's lvsd.
    controller =
        new IpvsController(reconciler, options.fullReconcile(), !useFailover || g.syncdaemon());
    controller.start();
    IpvsController c = controller;
    Optional<Path> stateFile = stateFile();
    Map<ServerId, Admin> restored = AdminService.restore(stateFile.orElse(null));
    drainWatcher = new DrainWatcher(metered, DRAIN_CHECK_EVERY, this::onDrained);
    DrainWatcher w = drainWatcher;
    try {
      probeSource = probeSourceFactory.create();
    } catch (IOException e) {
      throw new StartupException("cannot start the probe engines: " + e.getMessage());
    }
    monitor =
        new HealthMonitor(
            probeSource,
            new QuartzProbeScheduler(),
            clock,
            metrics.registry(),
            snapshot -> {
              c.accept(snapshot);
              w.accept(snapshot);
            });
    metrics.registerRealServers(monitor.serverGauges());
    monitor.start(config, KernelAdoption.weights(metered, config), restored);
    drainWatcher.start();
    failoverConfigured = useFailover;
    admin = new AdminService(monitor, stateFile.orElse(null), initialRelay(useFailover, g));
    AdminService a = admin;
    a.persist(); // the servers a new config dropped leave the file now
    apiToken = loadToken();
    openControlSocket(a);
    try {
      http =
          new StatusServer(
              options.listen(), metrics::scrape, this::status, new AdminApi(a, () -> apiToken));
    } catch (IOException e) {
      throw new StartupException(
          "cannot listen on "
              + options.listen()
              + ": "
              + e.getMessage()
              + " (use --listen ADDRESS:PORT)");
    }
    http.start();
    if (useFailover) {
      startFailover(metered);
    }
    if (ecmpMode) {
      startEcmp();
    }
    installSignalHandlers();
    started = true;
    log.info(
        "lvs-pulse started: config {} (serial_no {}), ipvs backend {}, {} active virtual services",
        options.config(),
        g.serialNo(),
        backend.name(),
        config.activeVirtuals().size());
  }

  private void startFailover(IpvsBackend ipvs) throws StartupException {
    IpvsController c = java.util.Objects.requireNonNull(controller);
    FailoverOptions fo = FailoverOptions.defaults().withCommandPrefix(options.commandPrefix());
    if (options.role().isPresent()) {
      fo = fo.withRole("backup".equals(options.role().get()) ? Role.BACKUP : Role.PRIMARY);
    }
    NftFirewallInstaller nft =
        NftFirewallInstaller.forRules(
            runner,
            options.commandPrefix(),
            FirewallRules.Options.defaults(),
            options.config().toString());
    FailoverListener listener =
        new FailoverListener() {
          @Override
          public void onActive() {
            c.setActive(true);
            // Program IPVS before the VIPs come up (the caller brings them up when this returns).
            try {
              c.awaitConverged(Duration.ofSeconds(3));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }

          @Override
          public void onInactive(String reason) {
            if (!config.global().syncdaemon()) {
              c.setActive(false);
            }
          }
        };
    try {
      Failover.Builder b =
          Failover.builder(config)
              .options(fo)
              .runner(runner)
              .ipvs(ipvs)
              .registry(metrics.registry())
              .listener(listener)
              .firewall(nft)
              .clock(clock);
      if (!options.commandPrefix().isEmpty()) {
        // the director's interfaces are in the namespace the prefix runs commands in
        b.linkState(
            io.lvspulse.failover.LinkState.polled(
                runner, options.commandPrefix(), Duration.ofSeconds(1)));
      }
      Failover f = b.build();
      f.start();
      failover = f;
      startLocalHealth(f, c);
      startAdminRelay(f);
    } catch (FailoverConfigException e) {
      throw new StartupException(
          "failover: " + e.getMessage() + " (or run with --no-failover for a standalone director)");
    } catch (IOException e) {
      throw new StartupException(
          "failover: cannot open the heartbeat socket on port "
              + config.global().heartbeatPort()
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Local health for the failover: each source's problem, polled once a second (never waiting on an
   * exec); a new source is one more line here. "ipvs": IPVS cannot be programmed; "probes": the
   * probe engines' local errors (EMFILE, ENOBUFS, out of memory), as the monitor reports them.
   */
  private void startLocalHealth(Failover f, IpvsController c) {
    HealthMonitor m = java.util.Objects.requireNonNull(monitor);
    healthPoller.scheduleWithFixedDelay(
        () -> {
          try {
            f.setLocalProblem("ipvs", c.localProblem());
            f.setLocalProblem("probes", m.localProblem().map(p -> "local errors: " + p.reason()));
          } catch (RuntimeException e) {
            log.warn("local health check failed: {}", e.toString());
          }
        },
        1,
        1,
        java.util.concurrent.TimeUnit.SECONDS);
  }

  /** How often the kernel's connection counters are read while a server drains for maintenance. */
  static final Duration DRAIN_CHECK_EVERY = Duration.ofSeconds(2);

  /** The admin state file, creating the state directory (0750) when it is missing. */
  private Optional<Path> stateFile() {
    Optional<Path> dir = options.admin().stateDir();
    if (dir.isEmpty()) {
      log.info(
          "no state directory: admin changes (drain, maintenance) last until the next restart");
      return Optional.empty();
    }
    try {
      if (!Files.isDirectory(dir.get())) {
        Files.createDirectories(
            dir.get(),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "cannot create the state directory {} ({}): admin changes will not survive a restart",
          dir.get(),
          e.getMessage());
    }
    return Optional.of(dir.get().resolve(AdminStateFile.NAME));
  }

  /**
   * Until the failover exists: a standalone director has no partner; a pair without {@code
   * heartbeat_key_file} has no authenticated channel, so every change must be made on both.
   */
  private PartnerRelay initialRelay(boolean useFailover, GlobalSettings g) {
    if (g.ecmp().ecmp()) {
      partnerRelay = "ecmp";
      log.info(
          "admin changes (drain, maintenance, enable) apply to this director only: in ECMP mode run"
              + " each on every director");
      return (id, state) -> PartnerRelay.Outcome.EVERY_DIRECTOR;
    }
    if (!useFailover || !g.hasBackup()) {
      partnerRelay = "standalone";
      return PartnerRelay.NONE;
    }
    partnerRelay = "none";
    log.info(
        "admin changes (drain, maintenance, enable) apply to this director only: without"
            + " heartbeat_key_file there is no authenticated channel to the partner, so run each"
            + " on both directors");
    return (id, state) -> PartnerRelay.Outcome.NOT_AUTHENTICATED;
  }

  private Optional<ApiToken> loadToken() {
    Optional<Path> f = options.admin().apiTokenFile();
    if (f.isEmpty()) {
      log.info("HTTP API off (--api-token-file none): the status page is read-only");
      return Optional.empty();
    }
    try {
      ApiToken t = ApiToken.read(f.get());
      log.info("HTTP API on: changes need the bearer token of {}", f.get());
      return Optional.of(t);
    } catch (ApiToken.Refused e) {
      if (e.missing()) {
        log.info("HTTP API off ({}): the status page is read-only", e.getMessage());
      } else {
        log.error("HTTP API off: {}", e.getMessage());
      }
      return Optional.empty();
    }
  }

  private void openControlSocket(AdminService a) {
    Optional<Path> p = options.admin().controlSocket();
    if (p.isEmpty()) {
      return;
    }
    try {
      controlSocket = ControlSocket.open(p.get(), a, ControlSocket.GROUP);
    } catch (IOException | RuntimeException e) {
      log.error(
          "no control socket ({}): lvs-pulse drain|maintenance|enable cannot reach this director"
              + " (the HTTP API still can, with its token)",
          e.getMessage());
    }
  }

  private void onDrained(ServerId id, Instant maintenanceSince, String why) {
    HealthMonitor m = monitor;
    AdminService a = admin;
    if (m != null && m.markDrained(id, maintenanceSince, why) && a != null) {
      a.persist();
    }
  }

  private void startEcmp() {
    IpvsController c = java.util.Objects.requireNonNull(controller);
    HealthMonitor m = java.util.Objects.requireNonNull(monitor);
    FirewallInstaller firewall =
        config.global().manageFirewall()
            ? NftFirewallInstaller.forRules(
                runner,
                options.commandPrefix(),
                FirewallRules.Options.defaults(),
                options.config().toString())
            : FirewallInstaller.none();
    EcmpDirector e =
        new EcmpDirector(
            config,
            firewall,
            new BirdAnnouncer(
                new BirdControl(config.global().ecmp().birdSocket(), Duration.ofSeconds(2))),
            m::snapshot,
            c::converged,
            options.drainFile(),
            runner,
            options.commandPrefix(),
            clock,
            metrics.registry());
    e.start(config);
    ecmp = e;
  }

  /**
   * With {@code heartbeat_key_file}, admin changes reach the partner over the heartbeat socket
   * ({@link AdminRelayCodec}); without it they stay on this director ({@link #initialRelay}).
   */
  private void startAdminRelay(Failover f) {
    AdminService a = admin;
    Optional<Path> keyFile = config.global().heartbeatKeyFile();
    if (a == null || !f.authenticated() || keyFile.isEmpty()) {
      return;
    }
    Optional<HeartbeatEndpoint> ep = f.heartbeatEndpoint();
    if (ep.isEmpty()) {
      return;
    }
    try {
      AdminRelayCodec codec =
          new AdminRelayCodec(f.role(), HeartbeatKey.read(keyFile.get()), clock);
      PartnerAdminChannel ch = new PartnerAdminChannel(codec, ep.get(), a);
      ep.get().onAdmin(ch::onDatagram);
      a.setRelay(ch);
      relayChannel = ch;
      partnerRelay = "hmac";
      log.info(
          "admin changes (drain, maintenance, enable) reach the partner director over the"
              + " authenticated heartbeat channel");
    } catch (FailoverConfigException e) {
      log.error("admin relay off ({}): run admin changes on both directors", e.getMessage());
    }
  }

  private IpvsBackend openBackend(GlobalSettings g) throws StartupException {
    if (options.ipvs() == DaemonOptions.IpvsMode.DRY_RUN) {
      log.info("ipvs backend: dry-run (nothing is changed in the kernel; every command is logged)");
      return new DryRunBackend();
    }
    IpvsadmBackend.Options o =
        (options.ipvsadm().isPresent()
                ? IpvsadmBackend.Options.explicit(options.ipvsadm().get())
                : (g.ipvsadm().equals(IpvsadmBackend.DEFAULT_IPVSADM)
                    ? IpvsadmBackend.Options.defaults()
                    : IpvsadmBackend.Options.explicit(g.ipvsadm())))
            .withCommandPrefix(options.commandPrefix());
    try {
      return IpvsadmBackend.open(o, runner);
    } catch (IpvsException e) {
      throw new StartupException(e.getMessage());
    }
  }

  private static void setTimeouts(
      IpvsBackend b, GlobalSettings g, @Nullable GlobalSettings previous) {
    IpvsTimeouts t =
        new IpvsTimeouts(
            Duration.ofSeconds(g.tcpTimeout()),
            Duration.ofSeconds(g.tcpfinTimeout()),
            Duration.ofSeconds(g.udpTimeout()));
    if (t.equals(IpvsTimeouts.UNCHANGED)) {
      return;
    }
    if (previous != null
        && previous.tcpTimeout() == g.tcpTimeout()
        && previous.tcpfinTimeout() == g.tcpfinTimeout()
        && previous.udpTimeout() == g.udpTimeout()) {
      return;
    }
    try {
      b.setTimeouts(t);
      log.info("ipvs timeouts set: ipvsadm {}", String.join(" ", t.args()));
    } catch (IpvsException e) {
      log.warn("cannot set the IPVS timeouts ({}): {}", String.join(" ", t.args()), e.getMessage());
    }
  }

  /**
   * The sysctl policy ({@link SysctlCheck}) in the kernel the backend drives: the director's
   * namespace, never this host's {@code /proc} when ipvsadm drives another kernel.
   */
  private void applySysctls(LvsConfig cfg) {
    IpvsBackend b = backend;
    if (b == null) {
      return;
    }
    SysctlCheck.apply(cfg, new MeteredIpvsBackend(b, metrics.registry()), options.setSysctls());
  }

  @SuppressWarnings("restriction")
  private void installSignalHandlers() {
    try {
      sun.misc.SignalHandler before =
          sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> reloader.execute(this::reload));
      ignoredSignal("HUP", before).ifPresent(m -> log.error("{}", m));
    } catch (IllegalArgumentException e) {
      log.warn("cannot handle SIGHUP ({}): reload by restarting", e.getMessage());
    }
    try {
      sun.misc.SignalHandler before =
          sun.misc.Signal.handle(
              new sun.misc.Signal("USR1"), sig -> reloader.execute(() -> reload(true)));
      ignoredSignal("USR1", before).ifPresent(m -> log.error("{}", m));
    } catch (IllegalArgumentException e) {
      log.warn("cannot handle SIGUSR1 ({}): a forced reload needs a restart", e.getMessage());
    }
  }

  /**
   * The JVM installs no handler for a signal this process inherited as ignored (a start under
   * {@code nohup} ignores SIGHUP) and says so only by returning {@code SIG_IGN}: then reloads would
   * silently never happen. The message that says so, if {@code before} is {@code SIG_IGN}.
   */
  static Optional<String> ignoredSignal(String name, sun.misc.SignalHandler before) {
    if (before != sun.misc.SignalHandler.SIG_IGN) {
      return Optional.empty();
    }
    return Optional.of(
        "SIG"
            + name
            + " is ignored by this process (started under nohup, or by a parent that ignores it):"
            + " lvs-pulse cannot receive it, so a "
            + ("HUP".equals(name) ? "reload" : "forced reload")
            + " needs a restart; start lvs-pulse with SIG"
            + name
            + " at its default (systemd does)");
  }

  /** {@link #reload(boolean)} without force (SIGHUP). */
  public boolean reload() {
    return reload(false);
  }

  /**
   * Re-reads the config file. An invalid file changes nothing: the errors are logged (one line per
   * diagnostic, at most about a hundred) and counted. A valid one that would withdraw every virtual
   * service or every real server ({@link ReloadGuard}) is refused the same way unless {@code force}
   * (SIGUSR1). Otherwise the file is applied as a difference.
   */
  public boolean reload(boolean force) {
    if (closed || monitor == null) {
      return false;
    }
    log.info(force ? "reloading {} (forced)" : "reloading {}", options.config());
    ParsedConfig parsed;
    try {
      parsed = parser.parse(options.config());
    } catch (ConfigException e) {
      for (Diagnostic d : e.errors()) {
        log.error("reload rejected, keeping the running config: {}", d);
      }
      reloadsFailed.increment();
      lastReloadOk.set(0);
      lastReload =
          Optional.of(
              new StatusRenderer.ReloadResult(
                  clock.instant(),
                  false,
                  e.errors().isEmpty()
                      ? "invalid config"
                      : e.errors().get(0)
                          + (e.errors().size() > 1
                              ? " (and " + (e.errors().size() - 1) + " more)"
                              : "")));
      return false;
    } catch (RuntimeException e) {
      log.error("reload rejected, keeping the running config: {}", e.toString());
      reloadsFailed.increment();
      lastReloadOk.set(0);
      lastReload =
          Optional.of(new StatusRenderer.ReloadResult(clock.instant(), false, e.toString()));
      return false;
    }
    parsed.warnings().forEach(w -> log.warn("{}", w));
    LvsConfig previous = config;
    LvsConfig next = parsed.config();
    if (previous.global().ecmp().mode() != next.global().ecmp().mode()) {
      log.error(
          "reload rejected, keeping the running config: director_mode changed ({} -> {}); restart"
              + " lvs-pulse to change it",
          previous.global().ecmp().mode().keyword(),
          next.global().ecmp().mode().keyword());
      reloadsFailed.increment();
      lastReloadOk.set(0);
      return false;
    }
    Optional<String> outOfService = ReloadGuard.outOfService(previous, next);
    if (outOfService.isPresent()) {
      if (!force) {
        log.error(
            "reload refused, keeping the running config: {}: {}; {}",
            options.config(),
            outOfService.get(),
            FORCE_HINT);
        reloadsFailed.increment();
        lastReloadOk.set(0);
        return false;
      }
      log.warn("forced reload of {}: {}", options.config(), outOfService.get());
    }
    if (!previous.global().equals(next.global())) {
      log.info(
          "global settings changed; IPVS timeouts are re-applied, failover settings take effect at restart");
      if (backend != null) {
        setTimeouts(
            new MeteredIpvsBackend(backend, metrics.registry()), next.global(), previous.global());
      }
    }
    applySysctls(next);
    if (failover != null) {
      failover.reload(next).forEach(w -> log.warn("reload: {}", w));
    }
    if (ecmp != null) {
      ecmp.reload(next);
    }
    monitor.reload(next);
    if (admin != null) {
      admin.persist(); // a server the reload removed loses its admin state
    }
    apiToken = loadToken();
    config = next;
    configLoadedAt = clock.instant();
    serial.set(next.global().serialNo());
    reloadsOk.increment();
    lastReloadOk.set(1);
    lastReload =
        Optional.of(
            new StatusRenderer.ReloadResult(
                clock.instant(), true, "serial_no " + next.global().serialNo()));
    return true;
  }

  /** The /status model. */
  public StatusRenderer.Status status() {
    IpvsController c = controller;
    HealthMonitor m = monitor;
    if (c == null || m == null || backend == null) {
      throw new IllegalStateException("starting");
    }
    // The snapshot first: it runs on the monitor loop behind every publish queued before it, and
    // the controller takes each published snapshot on that loop, so the desired table read next is
    // at least as new as the servers shown (the other order showed a server draining after a reload
    // with its old IPVS weight).
    MonitorSnapshot snapshot = m.snapshot();
    StatusRenderer.IpvsInfo ipvs =
        new StatusRenderer.IpvsInfo(
            backend.name(),
            c.active(),
            c.converged(),
            c.desired(),
            c.lastResult().flatMap(IpvsReconciler.Result::lastError),
            c.onSorryServer());
    Failover f = failover;
    EcmpDirector e = ecmp;
    StatusRenderer.Director dir =
        e != null
            ? new StatusRenderer.Director.Ecmp(e.status())
            : f != null
                ? new StatusRenderer.Director.Failover(f.status())
                : failoverConfigured
                    ? new StatusRenderer.Director.Starting()
                    : new StatusRenderer.Director.Standalone(c.active());
    ControlSocket cs = controlSocket;
    return new StatusRenderer.Status(
        version(),
        options.config().toString(),
        configLoadedAt,
        dir,
        ipvs,
        snapshot,
        lastReload,
        new StatusRenderer.AdminInfo(
            apiToken.isPresent(),
            cs == null ? Optional.empty() : Optional.of(cs.path().toString()),
            partnerRelay));
  }

  static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Stops probing and serving; IPVS is left as it is unless --cleanup-on-stop. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (started) {
      log.info(
          "stopping{}",
          options.cleanupOnStop()
              ? " (cleaning up managed IPVS services)"
              : "; IPVS is left as it is");
    }
    healthPoller.shutdownNow();
    if (ecmp != null) {
      // Withdraw every VIP from the router before anything else stops.
      boolean all = ecmp.withdrawAll(Duration.ofSeconds(5));
      log.info(
          all
              ? "ECMP: every VIP withdrawn"
              : "ECMP: not every VIP could be withdrawn (BIRD: {}); ExecStopPost tries again",
          ecmp.status().routerError().orElse("?"));
      ecmp.close();
    }
    if (failover != null) {
      // Give up the VIPs and tell the partner (STOPPED) before anything else stops.
      failover.stop(Duration.ofSeconds(10));
    }
    closeQuietly(http);
    closeQuietly(controlSocket);
    closeQuietly(relayChannel);
    closeQuietly(drainWatcher);
    closeQuietly(monitor);
    if (probeSource instanceof AutoCloseable ac) {
      closeQuietly(ac);
    }
    if (controller != null) {
      if (options.cleanupOnStop()) {
        IpvsReconciler.Result r = controller.withdraw();
        log.info(
            "cleanup: {}",
            r.converged()
                ? "managed IPVS services deleted"
                : "incomplete: " + r.lastError().orElse("?"));
      }
      controller.close();
    }
    reloader.shutdownNow();
    metrics.close();
    stopped.countDown();
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.warn("while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
    }
  }
}
