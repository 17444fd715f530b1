package io.lvspulse.metrics;

import io.lvspulse.logging.DroppingAsyncAppender;
import io.lvspulse.monitor.ServerGauges;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;

/** Creates the process-wide Prometheus registry with JVM and process metrics bound. */
public final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;

  private Metrics(PrometheusMeterRegistry registry, JvmGcMetrics gc) {
    this.registry = registry;
    this.gc = gc;
  }

  /** A registry with {@code jvm_*}, {@code process_*} and {@code system_*} metrics. */
  public static Metrics create() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // promtool check metrics rejects two of Micrometer's names: process_cpu_time_ns_total ("metric
    // names should not contain abbreviated units") and system_cpu_count (a gauge ending in _count).
    // The first becomes the conventional process_cpu_seconds_total, the second system_cpu_logical.
    r.config()
        .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count")
                    ? id.withName("system.cpu.logical")
                    : id;
              }
            });
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("CPU time used by the lvs-pulse process")
          .register(r);
    }
    new JvmMemoryMetrics().bindTo(r);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    new FileDescriptorMetrics().bindTo(r);
    FunctionCounter.builder(LOG_LINES_DROPPED, DroppingAsyncAppender.class, c -> dropped())
        .description(
            "Log lines dropped because stdout/stderr was not read fast enough (the daemon never"
                + " waits for its log)")
        .register(r);
    return new Metrics(r, gc);
  }

  /** Micrometer name of the dropped-log-lines counter (Prometheus adds {@code _total}). */
  public static final String LOG_LINES_DROPPED = "lvs_pulse_log_lines_dropped";

  private static double dropped() {
    return DroppingAsyncAppender.dropped();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Exposes the monitor's per-server up and weight gauges, read at scrape time (one collector
   * instead of two meters per server).
   */
  public void registerRealServers(ServerGauges gauges) {
    registry.getPrometheusRegistry().register(new RealServerCollector(gauges));
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
