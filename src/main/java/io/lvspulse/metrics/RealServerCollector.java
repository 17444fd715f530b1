package io.lvspulse.metrics;

import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.HealthMonitor;
import io.lvspulse.monitor.ServerGauges;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Objects;

/**
 * The per-real-server gauges {@code lvs_pulse_real_server_up}, {@code lvs_pulse_real_server_weight}
 * (labels virtual, server, address, port) and {@code lvs_pulse_real_server_admin_state} (the same
 * labels and {@code state}: one series per admin state, 1 for the current one), built at scrape
 * time from the monitor's live {@link ServerGauges}. One collector replaces 5 × N Micrometer
 * gauges; its text output is the same as theirs would be (names, HELP, TYPE gauge, labels, values).
 * Families with no server are left out, as Micrometer left them out.
 */
public final class RealServerCollector implements MultiCollector {
  static final String UP_HELP = "1 when the real server passes its health check, 0 otherwise";
  static final String WEIGHT_HELP =
      "The weight lvs-pulse gives the real server in IPVS (0 = out or quiesced)";
  static final String ADMIN_HELP =
      "1 for the real server's admin state (enabled, drain or maintenance), 0 for the others";

  private static final AdminState[] STATES = AdminState.values();

  private final ServerGauges gauges;

  public RealServerCollector(ServerGauges gauges) {
    this.gauges = Objects.requireNonNull(gauges);
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSnapshot.Builder up = GaugeSnapshot.builder().name(HealthMonitor.UP).help(UP_HELP);
    GaugeSnapshot.Builder weight =
        GaugeSnapshot.builder().name(HealthMonitor.WEIGHT).help(WEIGHT_HELP);
    GaugeSnapshot.Builder admin =
        GaugeSnapshot.builder().name(HealthMonitor.ADMIN_STATE).help(ADMIN_HELP);
    int[] n = {0};
    gauges.forEach(
        s -> {
          // Read each volatile once so a server's two series come from one moment.
          int u = s.up();
          int w = s.weight();
          AdminState a = s.admin();
          Labels labels =
              Labels.of(
                  "address",
                  s.address(),
                  "port",
                  s.port(),
                  "server",
                  s.server(),
                  "virtual",
                  s.virtual());
          up.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(u).build());
          weight.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(w).build());
          for (AdminState st : STATES) {
            admin.dataPoint(
                GaugeDataPointSnapshot.builder()
                    .labels(labels.add("state", st.label()))
                    .value(st == a ? 1 : 0)
                    .build());
          }
          n[0]++;
        });
    if (n[0] == 0) {
      return MetricSnapshots.of();
    }
    return MetricSnapshots.of(up.build(), weight.build(), admin.build());
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(HealthMonitor.UP, HealthMonitor.WEIGHT, HealthMonitor.ADMIN_STATE);
  }
}
