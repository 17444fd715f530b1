package io.lvspulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.HealthMonitor;
import io.lvspulse.monitor.ProbeScheduler;
import io.lvspulse.monitor.ServerGauges;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.ProbeSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RealServerCollectorTest {
  /** One server's labels and values, as the monitor would hold them. */
  record Fake(
      String virtual,
      String server,
      String address,
      String port,
      int up,
      int weight,
      AdminState admin)
      implements ServerGauges.Server {
    Fake(String virtual, String server, String address, String port, int up, int weight) {
      this(virtual, server, address, port, up, weight, AdminState.ENABLED);
    }
  }

  /** A mutable stand-in for the monitor's view. */
  static final class FakeGauges implements ServerGauges {
    final List<Fake> servers = new ArrayList<>();

    @Override
    public void forEach(Consumer<? super Server> action) {
      servers.forEach(action);
    }
  }

  /** The output the per-server Micrometer gauges gave before the collector replaced them. */
  private static String micrometerScrape(List<Fake> servers) {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    for (Fake f : servers) {
      String[] tags = {
        "virtual", f.virtual(), "server", f.server(), "address", f.address(), "port", f.port()
      };
      Gauge.builder("lvs_pulse_real_server_up", f, Fake::up)
          .description("1 when the real server passes its health check, 0 otherwise")
          .tags(tags)
          .register(r);
      Gauge.builder("lvs_pulse_real_server_weight", f, Fake::weight)
          .description("The weight lvs-pulse gives the real server in IPVS (0 = out or quiesced)")
          .tags(tags)
          .register(r);
      for (AdminState st : AdminState.values()) {
        Gauge.builder("lvs_pulse_real_server_admin_state", f, x -> x.admin() == st ? 1 : 0)
            .description(
                "1 for the real server's admin state (enabled, drain or maintenance), 0 for the"
                    + " others")
            .tags(tags)
            .tag("state", st.label())
            .register(r);
      }
    }
    String s = r.scrape();
    r.close();
    return s;
  }

  private static String collectorScrape(ServerGauges gauges) {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    r.getPrometheusRegistry().register(new RealServerCollector(gauges));
    String s = r.scrape();
    r.close();
    return s;
  }

  @Test
  void the_collector_writes_byte_for_byte_what_the_micrometer_gauges_wrote() {
    FakeGauges g = new FakeGauges();
    // Out of order, IPv4 and IPv6, a weight above 1, a label value that needs escaping.
    g.servers.add(new Fake("tftp", "ftp2", "10.0.0.3", "69", 0, 0, AdminState.MAINTENANCE));
    g.servers.add(new Fake("web", "w\"1\\", "2001:db8:0:0:0:0:0:7", "80", 1, 250));
    g.servers.add(new Fake("tftp", "ftp1", "10.0.0.2", "69", 1, 1));
    g.servers.add(new Fake("dns", "ns", "192.0.2.53", "0", 1, 0, AdminState.DRAIN));

    String expected = micrometerScrape(g.servers);
    assertThat(expected)
        .contains("lvs_pulse_real_server_weight{address=\"2001:db8:0:0:0:0:0:7\"", "} 250.0");
    assertThat(expected)
        .contains(
            "lvs_pulse_real_server_admin_state{address=\"10.0.0.3\",port=\"69\",server=\"ftp2\",state=\"maintenance\",virtual=\"tftp\"} 1.0")
        .contains(
            "lvs_pulse_real_server_admin_state{address=\"10.0.0.3\",port=\"69\",server=\"ftp2\",state=\"enabled\",virtual=\"tftp\"} 0.0");
    assertThat(collectorScrape(g)).isEqualTo(expected);
  }

  @Test
  void with_no_servers_neither_family_is_written_as_with_micrometer() {
    assertThat(collectorScrape(new FakeGauges()))
        .isEqualTo(micrometerScrape(List.of()))
        .doesNotContain("lvs_pulse_real_server");
  }

  @Test
  void each_scrape_reads_the_current_values() {
    FakeGauges g = new FakeGauges();
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    r.getPrometheusRegistry().register(new RealServerCollector(g));
    g.servers.add(new Fake("tftp", "ftp1", "10.0.0.2", "69", 0, 0));
    assertThat(r.scrape())
        .contains(
            "lvs_pulse_real_server_up{address=\"10.0.0.2\",port=\"69\",server=\"ftp1\",virtual=\"tftp\"} 0.0");
    g.servers.set(0, new Fake("tftp", "ftp1", "10.0.0.2", "69", 1, 3));
    assertThat(r.scrape())
        .contains(
            "lvs_pulse_real_server_up{address=\"10.0.0.2\",port=\"69\",server=\"ftp1\",virtual=\"tftp\"} 1.0")
        .contains(
            "lvs_pulse_real_server_weight{address=\"10.0.0.2\",port=\"69\",server=\"ftp1\",virtual=\"tftp\"} 3.0");
    r.close();
  }

  /** Never fires: the servers stay unknown (never in IPVS), so a removed one is deleted at once. */
  static final class IdleScheduler implements ProbeScheduler {
    @Override
    public void schedule(String name, Duration interval, Duration initialDelay, Runnable fire) {}

    @Override
    public void unschedule(String name) {}

    @Override
    public void start() {}

    @Override
    public void close() {}
  }

  static final class OkProbes implements ProbeSource {
    @Override
    public ConfiguredProbe create(ProbeSpec spec, RealServer rs) {
      return new ConfiguredProbe(
          "fake",
          "ok",
          () -> CompletableFuture.completedFuture(ProbeResult.ok("OK", Duration.ofMillis(1))));
    }
  }

  static LvsConfig config(String... servers) throws Exception {
    StringBuilder text =
        new StringBuilder(
            "network = direct\nvirtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n port = 69\n protocol = udp\n"
                + " persistent = 30\n send_program = \"/bin/true %h\"\n");
    for (String s : servers) {
      text.append(" server ")
          .append(s)
          .append(" {\n  address = 10.0.0.")
          .append(s.substring(3))
          .append("\n  active = 1\n }\n");
    }
    return new LvsConfigParser().parse("test.cf", text.append("}\n").toString()).config();
  }

  @Test
  void a_server_removed_by_reload_disappears_from_the_daemons_scrape() throws Exception {
    try (Metrics metrics = Metrics.create();
        HealthMonitor monitor =
            new HealthMonitor(
                new OkProbes(),
                new IdleScheduler(),
                InstantSource.system(),
                metrics.registry(),
                s -> {})) {
      metrics.registerRealServers(monitor.serverGauges());
      monitor.start(config("ftp2", "ftp3"));
      String before = metrics.scrape();
      assertThat(before)
          .contains(
              "# TYPE lvs_pulse_real_server_up gauge\n",
              "# TYPE lvs_pulse_real_server_weight gauge\n")
          .contains(
              "lvs_pulse_real_server_up{address=\"10.0.0.2\",port=\"69\",server=\"ftp2\",virtual=\"tftp\"} 0.0\n")
          .contains(
              "lvs_pulse_real_server_weight{address=\"10.0.0.3\",port=\"69\",server=\"ftp3\",virtual=\"tftp\"} 0.0\n");

      monitor.reload(config("ftp2"));
      String after = metrics.scrape();
      assertThat(after)
          .contains(
              "lvs_pulse_real_server_up{address=\"10.0.0.2\",port=\"69\",server=\"ftp2\",virtual=\"tftp\"} 0.0\n")
          .doesNotContain("10.0.0.3");

      monitor.reload(config());
      assertThat(metrics.scrape())
          .doesNotContain("lvs_pulse_real_server_up", "lvs_pulse_real_server_weight");
    }
  }
}
