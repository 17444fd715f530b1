package io.lvspulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.MiniJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code etc/grafana/lvs-pulse.json}: a Grafana dashboard model whose datasource is a variable,
 * whose panels cover what issue 12 lists, and whose every query is valid PromQL ({@code promtool
 * check rules} parses them) over metrics lvs-pulse exports.
 */
class GrafanaDashboardTest {
  /** Variables Grafana itself defines. */
  private static final Set<String> BUILTIN =
      Set.of("__rate_interval", "__interval", "__range", "__range_s");

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");

  @TempDir Path dir;

  @SuppressWarnings("unchecked")
  private static Map<String, Object> dashboard() throws Exception {
    return MiniJson.object(Files.readString(PromRules.DASHBOARD));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object o) {
    return (List<Map<String, Object>>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  /** Every non-row panel, with the panels of collapsed rows. */
  private static List<Map<String, Object>> panels(Map<String, Object> d) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> p : list(d.get("panels"))) {
      if ("row".equals(p.get("type"))) {
        out.addAll(list(p.getOrDefault("panels", List.of())));
      } else {
        out.add(p);
      }
    }
    return out;
  }

  private static List<String> exprs(Map<String, Object> d) {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> p : panels(d)) {
      for (Map<String, Object> t : list(p.get("targets"))) {
        out.add((String) t.get("expr"));
      }
    }
    return out;
  }

  @Test
  void it_is_a_dashboard_model_whose_datasource_is_a_prometheus_variable() throws Exception {
    Map<String, Object> d = dashboard();

    assertThat(d.get("title")).isEqualTo("lvs-pulse");
    assertThat(d.get("uid")).isEqualTo("lvs-pulse");
    assertThat(((Number) d.get("schemaVersion")).intValue()).isGreaterThanOrEqualTo(36);
    List<Map<String, Object>> vars = list(map(d.get("templating")).get("list"));
    assertThat(vars)
        .anySatisfy(
            v -> {
              assertThat(v.get("name")).isEqualTo("datasource");
              assertThat(v.get("type")).isEqualTo("datasource");
              assertThat(v.get("query")).isEqualTo("prometheus");
            });
    Set<Object> ids = new HashSet<>();
    for (Map<String, Object> p : list(d.get("panels"))) {
      assertThat(ids.add(p.get("id"))).as("unique panel id " + p.get("id")).isTrue();
      Map<String, Object> g = map(p.get("gridPos"));
      assertThat(((Number) g.get("x")).intValue() + ((Number) g.get("w")).intValue())
          .as(p.get("title") + " fits 24 columns")
          .isLessThanOrEqualTo(24);
    }
    for (Map<String, Object> p : panels(d)) {
      assertThat(map(p.get("datasource")).get("uid"))
          .as(String.valueOf(p.get("title")))
          .isEqualTo("${datasource}");
      assertThat(list(p.get("targets"))).as(p.get("title") + " has queries").isNotEmpty();
      for (Map<String, Object> t : list(p.get("targets"))) {
        assertThat(map(t.get("datasource")).get("uid")).isEqualTo("${datasource}");
        assertThat((String) t.get("refId")).isNotBlank();
        assertThat((String) t.get("expr")).as(String.valueOf(p.get("title"))).isNotBlank();
      }
    }
    for (Map<String, Object> v : vars) {
      if ("query".equals(v.get("type"))) {
        assertThat(map(v.get("datasource")).get("uid")).isEqualTo("${datasource}");
      }
    }
  }

  @Test
  void it_shows_servers_weights_probe_latency_transitions_ipvsadm_errors_and_director_roles()
      throws Exception {
    String all = String.join("\n", exprs(dashboard()));

    assertThat(all)
        .contains("lvs_pulse_real_server_up")
        .contains("lvs_pulse_real_server_weight")
        .contains("histogram_quantile(0.99")
        .contains("lvs_pulse_probe_duration_seconds_bucket")
        .contains("lvs_pulse_real_server_transitions_total")
        .contains(
            "lvs_pulse_ipvsadm_commands_total{job=~\"$job\", instance=~\"$instance\", result!=\"ok\"}")
        .contains("lvs_pulse_director_active");
    assertThat(panels(dashboard()))
        .anySatisfy(
            p -> {
              assertThat(p.get("type")).isEqualTo("state-timeline");
              assertThat(p.get("title")).isEqualTo("Director role over time");
            });
  }

  @Test
  void every_query_uses_only_metrics_lvs_pulse_exports_and_defined_variables() throws Exception {
    Map<String, Object> d = dashboard();
    Set<String> exported = ExportedMetrics.names();
    Set<String> variables = new HashSet<>(BUILTIN);
    for (Map<String, Object> v : list(map(d.get("templating")).get("list"))) {
      variables.add((String) v.get("name"));
    }
    List<String> queries = new ArrayList<>(exprs(d));
    for (Map<String, Object> v : list(map(d.get("templating")).get("list"))) {
      if ("query".equals(v.get("type"))) {
        queries.add((String) v.get("definition"));
      }
    }
    for (String q : queries) {
      assertThat(ExportedMetrics.referencedIn(q)).as(q).isNotEmpty().isSubsetOf(exported);
      Matcher m = VARIABLE.matcher(q);
      while (m.find()) {
        assertThat(variables).as("variable in " + q).contains(m.group(1));
      }
    }
  }

  @Test
  void every_query_is_valid_promql() throws Exception {
    List<String> exprs = exprs(dashboard());
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      rules
          .append("      - record: dashboard:query_")
          .append(i)
          .append("\n        expr: '")
          .append(asPromql(exprs.get(i)).replace("'", "''"))
          .append("'\n");
    }
    Path file = dir.resolve("dashboard.rules.yml");
    Files.writeString(file, rules.toString());

    ExecResult r =
        new ExecRunner()
            .run(
                ExecRequest.of(
                    Duration.ofSeconds(60),
                    AlertRulesTest.promtool().toString(),
                    "check",
                    "rules",
                    file.toString()));

    assertThat(r.succeeded()).as(r.stdout() + r.stderr() + "\n" + rules).isTrue();
    assertThat(r.stdout()).contains("SUCCESS: " + exprs.size() + " rules found");
  }

  /** A dashboard query with Grafana's variables replaced as Grafana would for "All" and 5m. */
  static String asPromql(String expr) {
    return expr.replace("$__rate_interval", "5m")
        .replace("$__interval", "1m")
        .replace("$__range", "1h")
        .replace("$job", ".*")
        .replace("$instance", ".*")
        .replace("$virtual", ".*");
  }
}
