package io.lvspulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.MiniJson;
import io.lvspulse.testing.PrometheusServer;
import io.lvspulse.testing.TftpClusterConfig;
import io.lvspulse.testing.TftpdHpa;
import io.lvspulse.testing.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alert rules and dashboard queries in a real Prometheus (Debian's) that scrapes a real
 * daemon ({@code --ipvs dry-run --no-failover}) probing two real tftpd-hpa servers on 127.0.0.31
 * and 127.0.0.32. The rules are the shipped file with every {@code for:} cut to 5 s; Prometheus
 * scrapes and evaluates every second.
 */
class PrometheusAlertsIT {
  private static final Duration SHORT_FOR = Duration.ofSeconds(5);
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static final List<String> SERVERS = List.of("ftp1=127.0.0.31", "ftp2=127.0.0.32");

  /** Exported only by a director with failover (heartbeats), or in ECMP mode (announcing). */
  private static final Set<String> NOT_IN_A_STANDALONE_DIRECTOR =
      Set.of(
          "lvs_pulse_director_active",
          "lvs_pulse_partner_active",
          "lvs_pulse_heartbeats_sent_total",
          "lvs_pulse_heartbeats_received_total",
          "lvs_pulse_failovers_total",
          "lvs_pulse_failover_action_failures_total",
          "lvs_pulse_announce_router_up",
          "lvs_pulse_vip_announced");

  @TempDir Path dir;
  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private <T extends AutoCloseable> T started(T t) {
    started.add(t);
    return t;
  }

  @Test
  void prometheus_sees_the_real_servers_then_fires_the_shipped_alerts_when_they_fail()
      throws Exception {
    PrometheusServer.binary();
    TftpdHpa ftp1 = started(TftpdHpa.start("127.0.0.31"));
    TftpdHpa ftp2 = started(TftpdHpa.start("127.0.0.32"));
    Path config = dir.resolve("lvs.cf");
    TftpClusterConfig cfg = TftpClusterConfig.example(SERVERS);
    Files.writeString(config, cfg.text(), StandardCharsets.US_ASCII);
    DaemonProcess d =
        started(
            DaemonProcess.start(
                dir, List.of("--config", config.toString(), "--ipvs", "dry-run", "--no-failover")));
    for (String s : List.of("ftp1", "ftp2")) {
      d.awaitServer(
          "tftp",
          s,
          WITHIN,
          Duration.ofMillis(100),
          v -> v.isPresent() && "up".equals(v.get().get("state")));
    }

    // Every lvs-pulse metric the rules and the dashboard use is in this daemon's /metrics, except
    // the failover ones (checked against FailoverMetrics itself by the unit tests).
    Set<String> scraped = ExportedMetrics.sampleNames(d.metrics());
    Set<String> used = new TreeSet<>();
    for (PromRules.Alert a : PromRules.alerts(PromRules.RULES)) {
      used.addAll(ExportedMetrics.referencedIn(a.expr()));
    }
    used.addAll(ExportedMetrics.referencedIn(Files.readString(PromRules.DASHBOARD)));
    used.removeAll(NOT_IN_A_STANDALONE_DIRECTOR);
    assertThat(scraped).containsAll(used);

    Path rules = dir.resolve("lvs-pulse.rules.yml");
    String shipped = Files.readString(PromRules.RULES);
    String fast =
        shipped.replaceAll("(?m)^(\\s+for:\\s*)\\S+$", "$1" + SHORT_FOR.toSeconds() + "s");
    assertThat(fast).isNotEqualTo(shipped);
    Files.writeString(rules, fast);
    String target = d.url().substring("http://".length());
    PrometheusServer prom =
        started(
            PrometheusServer.start(
                dir.resolve("prometheus"), rules, List.of(target), Duration.ofSeconds(1)));

    // Both servers up, as Prometheus sees them.
    List<Map<String, Object>> up =
        await(
            prom,
            "lvs_pulse_real_server_up of both servers",
            () -> prom.vector("lvs_pulse_real_server_up == 1"),
            v -> v.size() == 2);
    Set<Object> names = new HashSet<>();
    for (Map<String, Object> s : up) {
      assertThat(MiniJson.at(s, "metric", "virtual")).isEqualTo("tftp");
      assertThat(MiniJson.at(s, "metric", "job")).isEqualTo("lvs-pulse");
      names.add(MiniJson.at(s, "metric", "server"));
    }
    assertThat(names).containsExactlyInAnyOrder("ftp1", "ftp2");
    Waits.holds(
        "a healthy director raises nothing",
        SHORT_FOR.multipliedBy(2),
        Duration.ofSeconds(1),
        () -> assertThat(prom.alerts()).as("a healthy director raises nothing").isEmpty());

    // Every dashboard query runs in Prometheus; the real-server panels have data.
    for (String q : dashboardQueries()) {
      Map<String, Object> r = prom.query(GrafanaDashboardTest.asPromql(q));
      assertThat(r.get("status")).as(q + ": " + r).isEqualTo("success");
    }
    assertThat(
            prom.vector(GrafanaDashboardTest.asPromql(firstQueryWith("histogram_quantile(0.99"))))
        .as("probe latency p99")
        .isNotEmpty();

    // ftp2 dies: LvsPulseRealServerDown fires for it, and only for it.
    ftp2.stop();
    Map<String, Object> down =
        awaitAlert(prom, "LvsPulseRealServerDown", a -> "ftp2".equals(label(a, "server")));
    assertThat(MiniJson.at(down, "annotations", "summary"))
        .isEqualTo("Real server tftp/ftp2 is down");
    assertThat(label(down, "address")).isEqualTo("127.0.0.32");
    assertThat(prom.alerts())
        .noneMatch(a -> "ftp1".equals(label(a, "server")))
        .noneMatch(a -> "LvsPulseVirtualServiceDown".equals(label(a, "alertname")));

    // ftp1 dies too: the virtual service has no server left.
    ftp1.stop();
    awaitAlert(prom, "LvsPulseVirtualServiceDown", a -> "tftp".equals(label(a, "virtual")));

    // A broken lvs.cf is rejected on SIGHUP: LvsPulseConfigReloadFailed fires; a good one clears
    // it.
    Files.writeString(config, cfg.withSerial(2).text() + "no_such_keyword = 1\n");
    d.sighup();
    awaitAlert(prom, "LvsPulseConfigReloadFailed", a -> true);
    Files.writeString(config, cfg.withSerial(3).text());
    d.sighup();
    await(
        prom,
        "LvsPulseConfigReloadFailed resolved",
        prom::alerts,
        alerts ->
            alerts.stream()
                .noneMatch(a -> "LvsPulseConfigReloadFailed".equals(label(a, "alertname"))));

    Set<Object> firing = new TreeSet<>();
    for (Map<String, Object> a : prom.alerts()) {
      firing.add(label(a, "alertname"));
    }
    assertThat(firing)
        .as("nothing else fires for two dead servers and a rejected reload")
        .containsExactly("LvsPulseRealServerDown", "LvsPulseVirtualServiceDown");
  }

  private static List<String> dashboardQueries() throws Exception {
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"")
            .matcher(Files.readString(PromRules.DASHBOARD));
    while (m.find()) {
      out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    assertThat(out).isNotEmpty();
    return out;
  }

  private static String firstQueryWith(String fragment) throws Exception {
    return dashboardQueries().stream().filter(q -> q.contains(fragment)).findFirst().orElseThrow();
  }

  private static Object label(Map<String, Object> alert, String name) {
    return MiniJson.at(alert, "labels", name);
  }

  private Map<String, Object> awaitAlert(
      PrometheusServer prom, String alertname, Predicate<Map<String, Object>> which)
      throws Exception {
    List<Map<String, Object>> alerts =
        await(
            prom,
            alertname + " firing",
            prom::alerts,
            list ->
                list.stream()
                    .anyMatch(
                        a ->
                            alertname.equals(label(a, "alertname"))
                                && "firing".equals(a.get("state"))
                                && which.test(a)));
    return alerts.stream()
        .filter(a -> alertname.equals(label(a, "alertname")) && which.test(a))
        .findFirst()
        .orElseThrow();
  }

  @FunctionalInterface
  private interface Call<T> {
    T get() throws Exception;
  }

  /** Polls {@code call} every 500 ms until {@code done}, at most {@link #WITHIN}. */
  private <T> T await(PrometheusServer prom, String what, Call<T> call, Predicate<T> done)
      throws Exception {
    AtomicReference<T> last = new AtomicReference<>();
    Waits.until(
        what,
        WITHIN,
        Duration.ofMillis(500),
        () -> {
          last.set(call.get());
          return done.test(last.get());
        },
        () ->
            "not seen within "
                + WITHIN
                + ": "
                + what
                + "; last: "
                + last.get()
                + "\nprometheus log:\n"
                + prom.log());
    return last.get();
  }
}
