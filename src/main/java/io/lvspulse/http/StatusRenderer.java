package io.lvspulse.http;

import io.lvspulse.announce.AnnounceController;
import io.lvspulse.announce.RoutingState;
import io.lvspulse.config.Network;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.director.ConfigTables;
import io.lvspulse.failover.FailoverStatus;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerEvent;
import io.lvspulse.monitor.ServerView;
import io.lvspulse.net.Addresses;
import io.lvspulse.probe.ProbeResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Renders the daemon's state as the /status JSON document and as a text table. */
public final class StatusRenderer {
  private StatusRenderer() {}

  /** The IPVS side as /status shows it. */
  public record IpvsInfo(
      String backend,
      boolean programming,
      boolean converged,
      Optional<IpvsTable> desired,
      Optional<String> lastError,
      List<String> onSorryServer) {}

  /** The director side as /status shows it: a closed set of three. */
  public sealed interface Director {
    /** Whether this director holds the VIPs and programs IPVS. */
    boolean active();

    /** No failover ({@code --no-failover}, or no {@code primary}): a standalone director. */
    record Standalone(boolean active) implements Director {}

    /** Failover is configured and not started yet: inactive. */
    record Starting() implements Director {
      @Override
      public boolean active() {
        return false;
      }
    }

    /** Failover runs; {@code status} is its latest snapshot. */
    /** ECMP mode ({@code director_mode = ecmp}): always active; the announce loop's state. */
    record Ecmp(AnnounceController.Status status) implements Director {
      @Override
      public boolean active() {
        return true;
      }
    }

    record Failover(FailoverStatus status) implements Director {
      @Override
      public boolean active() {
        return status.active();
      }
    }
  }

  /** The last config reload: when, whether it was applied, and the first line of why not. */
  public record ReloadResult(Instant at, boolean ok, String message) {}

  /**
   * How admin changes reach this director and its partner.
   *
   * @param api whether the HTTP API takes changes (a token is configured)
   * @param controlSocket the CLI's control socket, if it is served
   * @param partnerRelay {@code hmac} (changes reach the partner), {@code none} (heartbeats are not
   *     authenticated: run every change on both directors) or {@code standalone}
   */
  public record AdminInfo(boolean api, Optional<String> controlSocket, String partnerRelay) {
    /** Nothing configured (tests, a daemon starting). */
    public static final AdminInfo NONE = new AdminInfo(false, Optional.empty(), "standalone");
  }

  /** Everything /status shows. */
  public record Status(
      String version,
      String configFile,
      Instant configLoadedAt,
      Director director,
      IpvsInfo ipvs,
      MonitorSnapshot monitor,
      Optional<ReloadResult> lastReload,
      AdminInfo admin) {

    /** A status without reload or admin information. */
    public Status(
        String version,
        String configFile,
        Instant configLoadedAt,
        Director director,
        IpvsInfo ipvs,
        MonitorSnapshot monitor) {
      this(
          version,
          configFile,
          configLoadedAt,
          director,
          ipvs,
          monitor,
          Optional.empty(),
          AdminInfo.NONE);
    }
  }

  /** The /status JSON document. */
  public static String json(Status s) {
    return json(s, false);
  }

  /** The /status JSON document, without indentation when {@code compact} (the web page's poll). */
  public static String json(Status s, boolean compact) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", s.version());
    root.put("time", s.monitor().at().toString());
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("file", s.configFile());
    cfg.put("serial_no", s.monitor().config().global().serialNo());
    cfg.put("loaded_at", s.configLoadedAt().toString());
    cfg.put(
        "last_reload",
        s.lastReload()
            .map(
                r -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("at", r.at().toString());
                  m.put("ok", r.ok());
                  m.put("message", r.message());
                  return (Object) m;
                })
            .orElse(null));
    root.put("config", cfg);
    root.put("director", director(s.director()));
    Map<String, Object> ipvs = new LinkedHashMap<>();
    ipvs.put("backend", s.ipvs().backend());
    ipvs.put("programming", s.ipvs().programming());
    ipvs.put("converged", s.ipvs().converged());
    ipvs.put("last_error", s.ipvs().lastError().orElse(null));
    root.put("ipvs", ipvs);
    root.put(
        "local_problem",
        s.monitor()
            .localProblem()
            .map(
                p -> {
                  Map<String, Object> lp = new LinkedHashMap<>();
                  lp.put("reason", p.reason());
                  lp.put("since", p.since().toString());
                  lp.put("last_seen", p.lastSeen().toString());
                  lp.put("errors", p.errors());
                  return lp;
                })
            .orElse(null));
    List<Object> virtuals = new ArrayList<>();
    Network network = s.monitor().config().global().network();
    for (Map.Entry<String, List<ServerView>> e : byVirtual(s.monitor()).entrySet()) {
      VirtualService v = e.getValue().isEmpty() ? null : e.getValue().get(0).virtual();
      Map<String, Object> vm = new LinkedHashMap<>();
      vm.put("name", e.getKey());
      if (v != null) {
        vm.put("service", serviceText(v));
        vm.put("vip", v.vip().map(Addresses::canonical).orElse(null));
        vm.put("scheduler", v.scheduler().keyword());
        vm.put("persistent_seconds", v.persistentSeconds());
        vm.put("quiesce_server", v.quiesceServer());
        vm.put("sorry_server", v.sorryServer().map(Addresses::canonical).orElse(null));
      }
      vm.put("on_sorry_server", s.ipvs().onSorryServer().contains(e.getKey()));
      List<Object> servers = new ArrayList<>();
      for (ServerView sv : e.getValue()) {
        servers.add(server(sv, s.ipvs().desired(), network));
      }
      vm.put("servers", servers);
      virtuals.add(vm);
    }
    root.put("virtuals", virtuals);
    Map<String, Object> admin = new LinkedHashMap<>();
    admin.put("api", s.admin().api());
    admin.put("control_socket", s.admin().controlSocket().orElse(null));
    admin.put("partner_relay", s.admin().partnerRelay());
    root.put("admin", admin);
    List<Object> events = new ArrayList<>();
    for (ServerEvent ev : s.monitor().recent()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", ev.at().toString());
      m.put("server", ev.server().toString());
      m.put("virtual", ev.server().virtual());
      m.put("kind", ev.kind().label());
      m.put("from", ev.from());
      m.put("to", ev.to());
      m.put("reason", ev.reason());
      events.add(m);
    }
    root.put("events", events);
    return compact ? Json.writeCompact(root) : Json.write(root);
  }

  /** The {@code director} object: {@code failover} (off, starting, on), then what it knows. */
  private static Map<String, Object> director(Director d) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (d instanceof Director.Ecmp e) {
      AnnounceController.Status st = e.status();
      m.put("failover", "off");
      m.put("mode", "ecmp");
      m.put("active", true);
      m.put("announcer", st.announcer());
      m.put("router_error", st.routerError().orElse(null));
      m.put("drained", st.drained());
      m.put("stopping", st.stopping());
      List<Object> sessions = new ArrayList<>();
      for (RoutingState.Session x : st.sessions()) {
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("name", x.name());
        sm.put("established", x.established());
        sm.put("info", x.info());
        sessions.add(sm);
      }
      m.put("bgp_sessions", sessions);
      List<Object> vips = new ArrayList<>();
      for (AnnounceController.VipStatus v : st.vips()) {
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("vip", v.route().address());
        vm.put("protocol", v.route().protocol());
        vm.put("announced", v.routed() == RoutingState.RouteState.ANNOUNCED);
        vm.put("bird_state", v.routed().label());
        vm.put("desired", v.desired());
        vm.put("reason", v.reason().label());
        vm.put("detail", v.detail());
        vm.put("since", v.since().toString());
        vm.put("error", v.error().orElse(null));
        vips.add(vm);
      }
      m.put("vips", vips);
    } else if (d instanceof Director.Failover f) {
      FailoverStatus st = f.status();
      m.put("failover", "on");
      m.put("role", st.role().label());
      m.put("role_reason", st.roleReason());
      m.put("active", st.active());
      m.put("partner", st.partner().map(Addresses::canonical).orElse(null));
      m.put("partner_state", st.partnerState().name().toLowerCase(Locale.ROOT));
      m.put("last_heard", st.lastHeard().map(Instant::toString).orElse(null));
      m.put("last_transition", st.lastTransitionReason());
      m.put("last_transition_at", st.lastTransitionAt().map(Instant::toString).orElse(null));
      m.put("authenticated", st.authenticated());
      m.put("local_problem", st.localProblem().orElse(null));
      m.put("partner_problem", st.partnerProblem().orElse(null));
    } else {
      m.put("failover", d instanceof Director.Starting ? "starting" : "off");
      m.put("active", d.active());
    }
    return m;
  }

  private static Map<String, Object> server(
      ServerView sv, Optional<IpvsTable> desired, Network network) {
    Map<String, Object> m = new LinkedHashMap<>();
    RealServer rs = sv.server();
    m.put("key", sv.id().toString());
    m.put("name", rs.name());
    m.put("address", Addresses.canonical(rs.address()));
    m.put("port", rs.port());
    m.put("state", sv.draining() ? "draining" : sv.health().label());
    m.put("in_ipvs", sv.effectiveInIpvs());
    m.put("weight", sv.effectiveWeight());
    m.put("configured_weight", rs.weight());
    m.put("ipvs_weight", ipvsWeight(sv, desired, network).orElse(null));
    m.put("since", sv.since().toString());
    m.put("drain_until", sv.drainUntil().map(Instant::toString).orElse(null));
    m.put("consecutive_successes", sv.consecutiveSuccesses());
    m.put("consecutive_failures", sv.consecutiveFailures());
    m.put("probe", sv.probe());
    Map<String, Object> admin = new LinkedHashMap<>();
    admin.put("state", sv.admin().state().label());
    admin.put("since", sv.admin().since().toString());
    admin.put("by", sv.admin().by().isEmpty() ? null : sv.admin().by());
    admin.put("drained_at", sv.admin().drainedAt().map(Instant::toString).orElse(null));
    m.put("admin", admin);
    if (sv.lastResult().isPresent()) {
      ProbeResult r = sv.lastResult().get();
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("at", sv.lastProbeAt().map(Instant::toString).orElse(null));
      p.put("success", r.success());
      p.put("message", r.message());
      p.put("rtt_seconds", seconds(r.elapsed()));
      p.put("cause", r.cause().map(c -> c.name().toLowerCase(Locale.ROOT)).orElse(null));
      m.put("last_probe", p);
    } else {
      m.put("last_probe", null);
    }
    return m;
  }

  private static Optional<Integer> ipvsWeight(
      ServerView sv, Optional<IpvsTable> desired, Network network) {
    if (desired.isEmpty() || !ConfigTables.inIpvs(sv.virtual())) {
      return Optional.empty();
    }
    ServiceKey key = ConfigTables.key(sv.virtual());
    InetSocketAddress a =
        ConfigTables.destinationAddress(
            sv.virtual(), sv.server(), sv.drainNetwork().orElse(network));
    return desired
        .get()
        .entry(key)
        .map(en -> en.destinations().get(a))
        .map(IpvsDestination::weight);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static String serviceText(VirtualService v) {
    try {
      return ConfigTables.key(v).display();
    } catch (IllegalArgumentException e) {
      return "(no address)";
    }
  }

  private static Map<String, List<ServerView>> byVirtual(MonitorSnapshot s) {
    Map<String, List<ServerView>> m = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>();
    s.config().activeVirtuals().forEach(v -> names.add(v.name()));
    names.forEach(n -> m.put(n, new ArrayList<>()));
    for (ServerView sv : s.servers()) {
      m.computeIfAbsent(sv.id().virtual(), k -> new ArrayList<>()).add(sv);
    }
    // In the order of the config file (a server a reload removed, still draining, last).
    for (List<ServerView> list : m.values()) {
      if (list.size() > 1) {
        Map<RealServer, Integer> order = new java.util.HashMap<>();
        List<RealServer> servers = list.get(0).virtual().servers();
        for (int i = 0; i < servers.size(); i++) {
          order.putIfAbsent(servers.get(i), i);
        }
        list.sort(
            java.util.Comparator.comparingInt(
                (ServerView sv) ->
                    sv.draining()
                        ? Integer.MAX_VALUE
                        : order.getOrDefault(sv.server(), Integer.MAX_VALUE)));
      }
    }
    return m;
  }

  /** The status as a fixed-width table (what {@code lvs-pulse status} prints). */
  public static String text(Status s) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "lvs-pulse %s  config %s (serial_no %d)  ipvs %s%s%s%n",
            s.version(),
            s.configFile(),
            s.monitor().config().global().serialNo(),
            s.ipvs().backend(),
            s.ipvs().programming() ? "" : " (paused: inactive director)",
            s.ipvs().converged()
                ? ""
                : s.ipvs().lastError().map(e -> "  NOT CONVERGED: " + e).orElse("  (converging)")));
    s.monitor()
        .localProblem()
        .ifPresent(
            p ->
                sb.append(
                    String.format(
                        Locale.ROOT,
                        "LOCAL PROBLEM since %s (%d errors, servers keep their state): %s%n",
                        p.since(),
                        p.errors(),
                        p.reason())));
    sb.append("director:");
    director(s.director())
        .forEach(
            (k, v) -> {
              if (!(v instanceof List)) {
                sb.append(' ').append(k).append('=').append(v);
              }
            });
    sb.append('\n');
    if (s.director() instanceof Director.Ecmp e) {
      for (AnnounceController.VipStatus v : e.status().vips()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "vip %-15s %-9s %s%s%n",
                v.route().address(),
                v.routed().label(),
                v.detail(),
                v.error().map(x -> "  ERROR: " + x).orElse("")));
      }
      for (RoutingState.Session x : e.status().sessions()) {
        sb.append(String.format(Locale.ROOT, "bgp %-15s %s%n", x.name(), x.info()));
      }
    }
    String fmt = "%-14s %-12s %-22s %-14s %6s %-20s %9s  %s%n";
    sb.append(
        String.format(
            Locale.ROOT,
            fmt,
            "VIRTUAL",
            "SERVER",
            "ADDRESS:PORT",
            "STATE",
            "WEIGHT",
            "SINCE",
            "RTT",
            "LAST PROBE"));
    for (Map.Entry<String, List<ServerView>> e : byVirtual(s.monitor()).entrySet()) {
      if (e.getValue().isEmpty()) {
        sb.append(
            String.format(
                Locale.ROOT,
                fmt,
                e.getKey(),
                "-",
                "-",
                "-",
                "-",
                "-",
                "-",
                "no active real server"));
      }
      for (ServerView sv : e.getValue()) {
        String addr =
            Addresses.canonical(
                new java.net.InetSocketAddress(sv.server().address(), sv.server().port()));
        String weight = sv.effectiveInIpvs() ? Integer.toString(sv.effectiveWeight()) : "-";
        String rtt =
            sv.lastResult()
                .map(r -> String.format(Locale.ROOT, "%.2fms", r.elapsed().toNanos() / 1e6))
                .orElse("-");
        String last = sv.lastResult().map(ProbeResult::message).orElse("(not probed yet)");
        String state = sv.draining() ? "draining" : sv.health().label();
        if (sv.admin().state() != AdminState.ENABLED) {
          state += sv.admin().state() == AdminState.DRAIN ? "/drain" : "/maint";
        }
        sb.append(
            String.format(
                Locale.ROOT,
                fmt,
                e.getKey(),
                sv.server().name(),
                addr,
                state,
                weight,
                sv.since().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                rtt,
                last));
      }
      if (s.ipvs().onSorryServer().contains(e.getKey())) {
        sb.append(
            String.format(
                Locale.ROOT,
                fmt,
                e.getKey(),
                "(sorry)",
                "-",
                "serving",
                "1",
                "-",
                "-",
                "every real server is down"));
      }
    }
    return sb.toString();
  }
}
