package io.lvspulse.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the parts of a Prometheus rules file the tests need without a YAML library: each alert's
 * name, {@code expr} (one line, or a {@code |} block) and {@code for}. The shipped file keeps to
 * that shape; {@code promtool check rules} checks the rest.
 */
final class PromRules {
  /** The shipped rules, their promtool tests, and the shipped dashboard. */
  static final Path RULES = Path.of("etc", "prometheus", "lvs-pulse.rules.yml").toAbsolutePath();

  static final Path RULE_TESTS =
      Path.of("etc", "prometheus", "lvs-pulse.rules.test.yml").toAbsolutePath();

  static final Path DASHBOARD = Path.of("etc", "grafana", "lvs-pulse.json").toAbsolutePath();

  private PromRules() {}

  /** One alerting rule. */
  record Alert(String name, String expr, String forDuration) {}

  private static final Pattern ALERT = Pattern.compile("^(\\s*)- alert:\\s*(\\S+)\\s*$");
  private static final Pattern KEY = Pattern.compile("^(\\s*)(expr|for):\\s*(.*)$");

  /** The alerts of {@code file}, in order. */
  static List<Alert> alerts(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    Map<String, String[]> found = new LinkedHashMap<>();
    String current = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher a = ALERT.matcher(line);
      if (a.matches()) {
        current = a.group(2);
        found.put(current, new String[] {"", ""});
        continue;
      }
      Matcher k = KEY.matcher(line);
      if (current == null || !k.matches()) {
        continue;
      }
      String value = k.group(3).strip();
      if (k.group(2).equals("expr") && value.equals("|")) {
        int indent = k.group(1).length();
        StringBuilder block = new StringBuilder();
        while (i + 1 < lines.size()
            && (lines.get(i + 1).isBlank() || indentOf(lines.get(i + 1)) > indent)) {
          block.append(lines.get(++i).strip()).append('\n');
        }
        value = block.toString().strip();
      }
      found.get(current)[k.group(2).equals("expr") ? 0 : 1] = value;
    }
    List<Alert> out = new ArrayList<>();
    found.forEach((name, v) -> out.add(new Alert(name, v[0], v[1])));
    return out;
  }

  private static int indentOf(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  /**
   * For each alert name in a promtool test file: how many evaluations expect it firing and how many
   * expect it silent ({@code exp_alerts: []}).
   */
  static Map<String, int[]> testedOutcomes(Path testFile) throws IOException {
    Map<String, int[]> out = new LinkedHashMap<>();
    String alert = null;
    for (String line : Files.readAllLines(testFile)) {
      String l = line.strip();
      if (l.startsWith("alertname:")) {
        alert = l.substring("alertname:".length()).strip();
      } else if (alert != null && l.startsWith("exp_alerts:")) {
        boolean silent = l.substring("exp_alerts:".length()).strip().equals("[]");
        out.computeIfAbsent(alert, k -> new int[2])[silent ? 1 : 0]++;
        alert = null;
      }
    }
    return out;
  }
}
