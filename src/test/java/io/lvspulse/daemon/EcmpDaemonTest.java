package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.announce.FakeBird;
import io.lvspulse.http.StatusRenderer;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.testing.MiniJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon in ECMP mode, in process: dry-run IPVS, two TCP real servers on loopback (one
 * accepting, one closed port), and a scripted BIRD control socket that keeps each protocol's state.
 * The VIP's {@code ip addr add ... dev lo} is prefixed with {@code true}, so the host is not
 * touched. The multi-director, real-BIRD version is {@code EcmpDirectorsIT}.
 */
public class EcmpDaemonTest {
  @TempDir Path dir;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String get(int port, String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + path))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** A BIRD whose protocols remember enable/disable, with one BGP session Established. */
  public static FakeBird statefulBird(Path dir, Map<String, Boolean> up) throws IOException {
    FakeBird b = new FakeBird(dir);
    b.answer =
        c -> {
          if (c.equals("show protocols")) {
            StringBuilder sb =
                new StringBuilder("2002-Name       Proto      Table      State  Since  Info\n");
            sb.append("1002-upstream   BGP        ---        up     00:00:01.000  Established\n");
            up.forEach(
                (name, on) ->
                    sb.append(" ")
                        .append(name)
                        .append(" Static master4 ")
                        .append(on ? "up" : "down")
                        .append("     00:00:01.000\n"));
            return sb.append("0000 \n").toString();
          }
          String[] w = c.split(" ");
          if (w.length == 2 && up.containsKey(w[1])) {
            boolean was = up.put(w[1], w[0].equals("enable"));
            if (w[0].equals("enable")) {
              return (was ? "0010-" + w[1] + ": already enabled\n" : "0011-" + w[1] + ": enabled\n")
                  + "0000 \n";
            }
            return (was ? "0009-" + w[1] + ": disabled\n" : "0008-" + w[1] + ": already disabled\n")
                + "0000 \n";
          }
          return "9001 syntax error, unexpected CF_SYM_UNDEFINED\n";
        };
    return b;
  }

  @Test
  void
      an_ecmp_director_programs_mh_in_canonical_order_announces_when_healthy_and_withdraws_first_on_stop()
          throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    int httpPort = freePort();
    Map<String, Boolean> up = new ConcurrentHashMap<>(Map.of("vip_203_0_113_99", false));
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, lo)) {
      dead = s.getLocalPort();
    }
    try (FakeBird bird = statefulBird(dir, up);
        ServerSocket live = new ServerSocket(0, 50, lo)) {
      Path cfg = dir.resolve("lvs.cf");
      Files.writeString(
          cfg,
          String.join(
              "\n",
              "director_mode = ecmp",
              "announce_interval = 200ms",
              "announce_rise = 2",
              "announce_fall = 1",
              "bird_socket = " + bird.socket,
              "network = direct",
              "virtual web {",
              "    active = 1",
              "    address = 203.0.113.99 lo",
              "    port = " + live.getLocalPort(),
              "    protocol = tcp",
              "    scheduler = wlc",
              "    timeout = 1",
              "    server zz_dead {",
              "        address = 127.0.0.1",
              "        port = " + dead,
              "        active = 1",
              "    }",
              "    server live {",
              "        address = 127.0.0.1",
              "        active = 1",
              "        weight = 3",
              "    }",
              "}",
              ""));
      Path drain = dir.resolve("drain");
      DaemonOptions options =
          new DaemonOptions(
              cfg,
              DaemonOptions.IpvsMode.DRY_RUN,
              Optional.empty(),
              new InetSocketAddress(lo, httpPort),
              false,
              Optional.empty(),
              false,
              Duration.ofSeconds(15),
              true,
              List.of("true"),
              drain);
      Daemon daemon = Launcher.create(options);
      try {
        daemon.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> up.get("vip_203_0_113_99"));
        IpvsTable t = daemon.status().ipvs().desired().orElseThrow();
        ServiceKey key = ServiceKey.tcp(new InetSocketAddress("203.0.113.99", live.getLocalPort()));
        assertThat(t.toSaveLines())
            .containsExactly(
                "-A " + String.join(" ", key.args()) + " -s mh -b mh-fallback",
                "-a "
                    + String.join(" ", key.args())
                    + " -r 127.0.0.1:"
                    + Math.min(dead, live.getLocalPort())
                    + " -g -w "
                    + (dead < live.getLocalPort() ? 0 : 3),
                "-a "
                    + String.join(" ", key.args())
                    + " -r 127.0.0.1:"
                    + Math.max(dead, live.getLocalPort())
                    + " -g -w "
                    + (dead < live.getLocalPort() ? 3 : 0));
        StatusRenderer.Status st = daemon.status();
        assertThat(st.director()).isInstanceOf(StatusRenderer.Director.Ecmp.class);
        assertThat(st.director().active()).isTrue();
        Map<String, Object> json = MiniJson.object(StatusRenderer.json(st));
        assertThat(MiniJson.at(json, "director", "mode")).isEqualTo("ecmp");
        assertThat(MiniJson.at(json, "director", "vips", 0, "vip")).isEqualTo("203.0.113.99");
        assertThat(MiniJson.at(json, "director", "vips", 0, "announced")).isEqualTo(true);
        assertThat(MiniJson.at(json, "director", "vips", 0, "reason")).isEqualTo("healthy");
        assertThat(MiniJson.at(json, "director", "vips", 0, "protocol"))
            .isEqualTo("vip_203_0_113_99");
        assertThat(StatusRenderer.text(st))
            .contains("director: failover=off mode=ecmp active=true")
            .containsPattern(
                "(?m)^vip 203\\.0\\.113\\.99 +announced +announced: 1 of 2 real servers up")
            .containsPattern("(?m)^bgp upstream +Established$");
        String metrics = get(httpPort, "/metrics");
        assertThat(metrics)
            .contains("lvs_pulse_vip_announced{vip=\"203.0.113.99\"} 1.0")
            .contains("lvs_pulse_vip_announce_reason{reason=\"healthy\",vip=\"203.0.113.99\"} 1.0")
            .contains("lvs_pulse_bgp_sessions_established 1.0");

        // A drain withdraws at the next tick; removing the flag announces again after the rise.
        Files.writeString(drain, "x");
        await().atMost(Duration.ofSeconds(10)).until(() -> !up.get("vip_203_0_113_99"));
        Files.delete(drain);
        await().atMost(Duration.ofSeconds(10)).until(() -> up.get("vip_203_0_113_99"));

        List<String> before = new ArrayList<>(bird.commands);
        daemon.close();
        List<String> after = bird.commands.subList(before.size(), bird.commands.size());
        assertThat(after).contains("disable vip_203_0_113_99");
        assertThat(up.get("vip_203_0_113_99")).isFalse();
      } finally {
        daemon.close();
      }
    }
  }

  @Test
  void a_reload_that_changes_director_mode_is_rejected_and_the_running_config_kept()
      throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    int httpPort = freePort();
    Map<String, Boolean> up = new ConcurrentHashMap<>(Map.of("vip_203_0_113_97", false));
    try (FakeBird bird = statefulBird(dir, up)) {
      Path cfg = dir.resolve("lvs.cf");
      String ecmp =
          String.join(
              "\n",
              "director_mode = ecmp",
              "bird_socket = " + bird.socket,
              "network = direct",
              "virtual web {",
              "    active = 1",
              "    address = 203.0.113.97 lo",
              "    port = 80",
              "    server a {",
              "        address = 127.0.0.1",
              "        active = 1",
              "    }",
              "}",
              "");
      Files.writeString(cfg, ecmp);
      Daemon daemon =
          Launcher.create(
              new DaemonOptions(
                  cfg,
                  DaemonOptions.IpvsMode.DRY_RUN,
                  Optional.empty(),
                  new InetSocketAddress(lo, httpPort),
                  false,
                  Optional.empty(),
                  false,
                  Duration.ofSeconds(15),
                  true,
                  List.of("true"),
                  dir.resolve("drain")));
      try {
        daemon.start();
        Files.writeString(cfg, ecmp.replace("director_mode = ecmp", "director_mode = pair"));
        assertThat(daemon.reload()).isFalse();
        assertThat(daemon.status().monitor().config().global().ecmp().ecmp()).isTrue();
        assertThat(get(httpPort, "/metrics"))
            .contains("lvs_pulse_config_reloads_total{result=\"failed\"} 1.0");
      } finally {
        daemon.close();
      }
    }
  }
}
