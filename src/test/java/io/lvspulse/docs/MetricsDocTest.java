package io.lvspulse.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.daemon.Daemon;
import io.lvspulse.daemon.DaemonOptions;
import io.lvspulse.daemon.Launcher;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md lists exactly the metrics a running daemon exports, with their types and label
 * names. The daemon runs in-process on the dry-run IPVS backend with failover on (a lone primary
 * whose ip/arping commands are prefixed with {@code false}, so nothing touches the host's
 * interfaces and every VIP step fails and is counted), probing one TCP server that accepts and one
 * port where nothing listens, so that every lazily registered metric appears; and a second one in
 * ECMP mode, against a scripted BIRD control socket, for the announce metrics.
 */
class MetricsDocTest {
  static final Path DOC = Path.of("docs/metrics.md");
  private static final Pattern ROW =
      Pattern.compile("^\\| `([a-z0-9_*]+)` \\| ([a-z]+) \\| (.*?) \\|");
  private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");
  private static final Pattern SAMPLE =
      Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)\\} ");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
  private static final Pattern BACKTICKED = Pattern.compile("`([a-z_]+)`");

  @TempDir Path dir;

  /** One metric family as the scrape or the document describes it. */
  record Family(String name, String type, Set<String> labels) {}

  /**
   * The families of a Prometheus text scrape; a summary's or histogram's {@code _max} is folded in.
   */
  static Map<String, Family> scraped(String text) {
    Map<String, String> types = new TreeMap<>();
    Matcher t = TYPE.matcher(text);
    while (t.find()) {
      types.put(t.group(1), t.group(2));
    }
    Map<String, Family> out = new TreeMap<>();
    for (Map.Entry<String, String> e : types.entrySet()) {
      String name = e.getKey();
      if (name.endsWith("_max")) {
        String base = name.substring(0, name.length() - "_max".length());
        String baseType = types.get(base);
        if ("summary".equals(baseType) || "histogram".equals(baseType)) {
          continue;
        }
      }
      out.put(name, new Family(name, e.getValue(), new TreeSet<>()));
    }
    Matcher s = SAMPLE.matcher(text);
    while (s.find()) {
      Family f = familyOf(out, s.group(1));
      if (f != null) {
        Matcher l = LABEL.matcher(s.group(2));
        while (l.find()) {
          if (!l.group(1).equals("le") && !l.group(1).equals("quantile")) {
            f.labels().add(l.group(1));
          }
        }
      }
    }
    return out;
  }

  private static Family familyOf(Map<String, Family> families, String sample) {
    if (families.containsKey(sample)) {
      return families.get(sample);
    }
    for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
      if (sample.endsWith(suffix)) {
        Family f = families.get(sample.substring(0, sample.length() - suffix.length()));
        if (f != null) {
          return f;
        }
      }
    }
    return null;
  }

  /** The rows of the document's table: name, type and the backticked label names. */
  static Map<String, Family> documented(List<String> lines) {
    Map<String, Family> out = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        Set<String> labels = new TreeSet<>();
        Matcher b = BACKTICKED.matcher(m.group(3));
        while (b.find()) {
          labels.add(b.group(1));
        }
        out.put(m.group(1), new Family(m.group(1), m.group(2), labels));
      }
    }
    return out;
  }

  /** What differs between the document and the scrape, one line per difference. */
  static List<String> differences(Map<String, Family> doc, Map<String, Family> scrape) {
    List<String> out = new ArrayList<>();
    List<String> prefixes =
        doc.keySet().stream()
            .filter(n -> n.endsWith("*"))
            .map(n -> n.substring(0, n.length() - 1))
            .toList();
    for (Family s : scrape.values()) {
      Family d = doc.get(s.name());
      if (d == null) {
        if (prefixes.stream().noneMatch(p -> s.name().startsWith(p))) {
          out.add("exported but not in " + DOC + ": " + s);
        }
      } else if (!d.type().equals(s.type())) {
        out.add(s.name() + ": documented as " + d.type() + ", exported as " + s.type());
      } else if (!d.labels().equals(s.labels())) {
        out.add(s.name() + ": documented labels " + d.labels() + ", exported " + s.labels());
      }
    }
    for (Family d : doc.values()) {
      boolean wildcard = d.name().endsWith("*");
      String prefix = d.name().substring(0, d.name().length() - 1);
      boolean present =
          wildcard
              ? scrape.keySet().stream().anyMatch(n -> n.startsWith(prefix))
              : scrape.containsKey(d.name());
      if (!present) {
        out.add("in " + DOC + " but not exported: " + d.name());
      }
    }
    return out;
  }

  @Test
  void the_metrics_page_lists_exactly_what_a_running_daemon_exports() throws Exception {
    Map<String, Family> doc = documented(Files.readAllLines(DOC, StandardCharsets.UTF_8));
    assertThat(doc).hasSizeGreaterThan(20);
    String scrape = scrapeARunningDaemon() + "\n" + scrapeAnEcmpDaemon();

    assertThat(differences(doc, scraped(scrape))).as("docs/metrics.md vs /metrics").isEmpty();
  }

  @Test
  void the_comparison_finds_a_missing_an_extra_and_a_mislabelled_metric() {
    String scrape =
        """
        # TYPE a_total counter
        a_total{result="ok"} 1.0
        # TYPE d_seconds summary
        d_seconds_count 1
        # TYPE d_seconds_max gauge
        d_seconds_max 0.1
        # TYPE jvm_x gauge
        jvm_x 1.0
        # TYPE new_one gauge
        new_one 1.0
        """;
    Map<String, Family> doc =
        documented(
            List.of(
                "| `a_total` | counter | `virtual` | x |",
                "| `d_seconds` | summary | – | `_count`, `_sum`, and `_max` |",
                "| `gone_total` | counter | – | x |",
                "| `jvm_*` | various | various | x |"));
    assertThat(scraped(scrape)).containsOnlyKeys("a_total", "d_seconds", "jvm_x", "new_one");
    assertThat(differences(doc, scraped(scrape)))
        .containsExactlyInAnyOrder(
            "a_total: documented labels [virtual], exported [result]",
            "exported but not in docs/metrics.md: Family[name=new_one, type=gauge, labels=[]]",
            "in docs/metrics.md but not exported: gone_total");
  }

  private String scrapeARunningDaemon() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    int httpPort = freeTcpPort();
    int deadPort = freeTcpPort();
    int heartbeatPort;
    try (DatagramSocket d = new DatagramSocket(0, lo)) {
      heartbeatPort = d.getLocalPort();
    }
    try (ServerSocket live = new ServerSocket(0, 50, lo)) {
      Path cfg = dir.resolve("lvs.cf");
      Files.writeString(
          cfg,
          String.join(
              "\n",
              "primary = 127.0.0.1",
              "backup_active = 0",
              "heartbeat_port = " + heartbeatPort,
              "keepalive = 1",
              "deadtime = 2",
              "network = nat",
              "virtual web {",
              "    active = 1",
              "    address = 203.0.113.99 lo:99",
              "    port = " + live.getLocalPort(),
              "    protocol = tcp",
              "    timeout = 1",
              "    server live {",
              "        address = 127.0.0.1",
              "        active = 1",
              "    }",
              "    server dead {",
              "        address = 127.0.0.1",
              "        port = " + deadPort,
              "        active = 1",
              "    }",
              "}",
              ""));
      DaemonOptions options =
          new DaemonOptions(
              cfg,
              DaemonOptions.IpvsMode.DRY_RUN,
              Optional.empty(),
              new InetSocketAddress(lo, httpPort),
              false,
              Optional.of("primary"),
              false,
              Duration.ofSeconds(15),
              true,
              List.of("false"));
      Daemon daemon = Launcher.create(options);
      try {
        daemon.start();
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + httpPort + "/metrics");
        String[] last = {""};
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  last[0] =
                      http.send(
                              HttpRequest.newBuilder(uri).build(),
                              HttpResponse.BodyHandlers.ofString())
                          .body();
                  return last[0].contains("lvs_pulse_director_active{role=\"primary\"} 1.0")
                      && last[0].contains("to=\"up\"")
                      && last[0].contains("to=\"down\"")
                      && last[0].contains(
                          "lvs_pulse_failover_action_failures_total{action=\"vip_add\"}");
                });
        return last[0];
      } finally {
        daemon.close();
      }
    }
  }

  private String scrapeAnEcmpDaemon() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    Path ecmpDir = Files.createDirectories(dir.resolve("ecmp"));
    java.util.Map<String, Boolean> up =
        new java.util.concurrent.ConcurrentHashMap<>(java.util.Map.of("vip_203_0_113_98", false));
    int port = freeTcpPort();
    try (io.lvspulse.announce.FakeBird bird =
            io.lvspulse.daemon.EcmpDaemonTest.statefulBird(ecmpDir, up);
        ServerSocket live = new ServerSocket(0, 50, lo)) {
      Path cfg = ecmpDir.resolve("lvs.cf");
      Files.writeString(
          cfg,
          String.join(
              "\n",
              "director_mode = ecmp",
              "announce_interval = 200ms",
              "announce_rise = 1",
              "bird_socket = " + bird.socket,
              "network = direct",
              "virtual web {",
              "    active = 1",
              "    address = 203.0.113.98 lo",
              "    port = " + live.getLocalPort(),
              "    protocol = tcp",
              "    timeout = 1",
              "    server live {",
              "        address = 127.0.0.1",
              "        active = 1",
              "    }",
              "}",
              ""));
      Daemon daemon =
          Launcher.create(
              new DaemonOptions(
                  cfg,
                  DaemonOptions.IpvsMode.DRY_RUN,
                  Optional.empty(),
                  new InetSocketAddress(lo, port),
                  false,
                  Optional.empty(),
                  false,
                  Duration.ofSeconds(15),
                  true,
                  List.of("true"),
                  ecmpDir.resolve("drain")));
      try {
        daemon.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> up.get("vip_203_0_113_98"));
        return HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
      } finally {
        daemon.close();
      }
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
