package io.lvspulse.metrics;

import io.lvspulse.announce.AnnounceController;
import io.lvspulse.announce.AnnouncePolicy;
import io.lvspulse.announce.Announcer;
import io.lvspulse.announce.RoutingState;
import io.lvspulse.announce.VipRoute;
import io.lvspulse.daemon.Daemon;
import io.lvspulse.failover.FailoverMetrics;
import io.lvspulse.failover.Role;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.ipvs.IpvsReconciler;
import io.lvspulse.ipvs.MeteredIpvsBackend;
import io.lvspulse.monitor.HealthMonitor;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the series lvs-pulse exports, for checking that the shipped dashboard and alert
 * rules ask for nothing it does not export: the meters of the real metric classes (scraped from a
 * Prometheus registry they register into), plus the names the monitor and daemon declare as
 * constants (their meters appear only once a probe or a reload happened). {@code
 * PrometheusAlertsIT} checks the same names against a running daemon.
 */
public final class ExportedMetrics {
  private ExportedMetrics() {}

  /** Micrometer adds these to a timer's or histogram's name in Prometheus. */
  private static final List<String> SUFFIXES = List.of("", "_bucket", "_count", "_sum", "_max");

  private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

  /** Every series name lvs-pulse exports (histogram/timer series listed with their suffixes). */
  public static Set<String> names() {
    Set<String> names = new TreeSet<>();
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new FailoverMetrics(r, Role.PRIMARY);
    new IpvsReconciler(
        new DryRunBackend(), r, IpvsReconciler.RetryPolicy.DEFAULT, IpvsReconciler.Sleeper.real());
    try (AnnounceController announce =
        new AnnounceController(
            new Announcer() {
              @Override
              public String describe() {
                return "none";
              }

              @Override
              public RoutingState state(java.util.Collection<VipRoute> routes) {
                return new RoutingState(java.util.Map.of(), List.of());
              }

              @Override
              public void announce(VipRoute route) {}

              @Override
              public void withdraw(VipRoute route) {}

              @Override
              public void close() {}
            },
            AnnouncePolicy.Settings.defaults(),
            List.of(VipRoute.of(java.net.InetAddress.getLoopbackAddress())),
            java.util.Map::of,
            java.time.InstantSource.system(),
            r)) {
      names.addAll(sampleNames(r.scrape()));
    }
    r.close();
    try (Metrics process = Metrics.create()) {
      names.addAll(sampleNames(process.scrape()));
    }
    for (String timer :
        List.of(
            HealthMonitor.PROBE_DURATION + "_seconds", MeteredIpvsBackend.DURATION + "_seconds")) {
      for (String suffix : SUFFIXES) {
        names.add(timer + suffix);
      }
    }
    names.add(HealthMonitor.UP);
    names.add(HealthMonitor.WEIGHT);
    names.add(HealthMonitor.ADMIN_STATE);
    names.add(HealthMonitor.PROBES + "_total");
    names.add(HealthMonitor.TRANSITIONS + "_total");
    names.add(HealthMonitor.LOG_LINES_SUPPRESSED + "_total");
    names.add(Daemon.RELOADS + "_total");
    names.add(Daemon.SERIAL);
    names.add(Daemon.LAST_RELOAD_OK);
    // Registered on the first failed action (FailoverMetrics.actionFailed).
    names.add("lvs_pulse_failover_action_failures_total");
    return names;
  }

  /** The series names in a Prometheus text exposition. */
  public static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    Matcher m = SAMPLE.matcher(exposition);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static final Pattern METRIC =
      Pattern.compile("\\b((?:lvs_pulse|jvm|process|system)_[a-zA-Z0-9_]+)\\b");

  /** The lvs-pulse, JVM and process metric names a PromQL expression refers to. */
  public static List<String> referencedIn(String promql) {
    List<String> out = new ArrayList<>();
    Matcher m = METRIC.matcher(promql);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
