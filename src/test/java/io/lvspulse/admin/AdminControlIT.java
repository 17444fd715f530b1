package io.lvspulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.MiniJson;
import io.lvspulse.testing.Peers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drain, maintenance and enable on the real jar, the way an operator meets them: the CLI over the
 * control socket, the HTTP API with its token, the state file across a restart and a reload, and
 * every refusal (a user outside the socket's group, no token, a wrong token) changing nothing.
 */
class AdminControlIT {
  private static final String TOKEN = "it-token-0123456789-abcdefgh";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(200);

  @TempDir Path dir;
  private final List<DaemonProcess> daemons = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    daemons.forEach(DaemonProcess::close);
  }

  private static String config(boolean withFtp2) {
    return "serial_no = 1\nnetwork = direct\n"
        + "virtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n fwmark = 1\n port = 69\n"
        + " protocol = udp\n timeout = 1\n reentry = 1\n slow_start = 0\n"
        + " send_program = \"/bin/true %h\"\n"
        + " server ftp1 {\n  address = 127.0.0.41\n  active = 1\n  weight = 3\n }\n"
        + (withFtp2
            ? " server ftp2 {\n  address = 127.0.0.42\n  active = 1\n  weight = 3\n }\n"
            : "")
        + "}\n";
  }

  private Path state() {
    return dir.resolve("state");
  }

  private Path socket() {
    return state().resolve("control.sock");
  }

  private DaemonProcess start() throws Exception {
    Path token = dir.resolve("api.token");
    if (!Files.exists(token)) {
      Files.writeString(token, TOKEN + "\n");
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    }
    DaemonProcess d =
        DaemonProcess.start(
            dir,
            List.of(
                "--config",
                dir.resolve("lvs.cf").toString(),
                "--ipvs",
                "dry-run",
                "--no-failover",
                "--state-dir",
                state().toString(),
                "--control-socket",
                socket().toString(),
                "--api-token-file",
                token.toString()));
    daemons.add(d);
    return d;
  }

  private DaemonProcess.Exit cli(String... args) throws Exception {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--socket");
    a.add(socket().toString());
    return DaemonProcess.runToExit(Duration.ofSeconds(60), a);
  }

  @SuppressWarnings("unchecked")
  private static String admin(Optional<Map<String, Object>> s) {
    return s.map(m -> (String) ((Map<String, Object>) m.get("admin")).get("state")).orElse("gone");
  }

  private Map<String, Object> awaitAdmin(DaemonProcess d, String server, String state)
      throws Exception {
    return d.awaitServer("tftp", server, WAIT, POLL, s -> admin(s).equals(state)).orElseThrow();
  }

  /** Waits until {@code server} of virtual tftp is probed up. */
  private static void awaitUp(DaemonProcess d, String server) throws Exception {
    d.awaitServer(
        "tftp", server, WAIT, POLL, s -> s.map(m -> "up".equals(m.get("state"))).orElse(false));
  }

  private HttpResponse<String> post(DaemonProcess d, String path, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(d.url() + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_drain_from_the_cli_is_weight_zero_survives_a_restart_and_a_reload_drops_it()
      throws Exception {
    Files.writeString(dir.resolve("lvs.cf"), config(true));
    DaemonProcess d = start();
    awaitUp(d, "ftp2");

    DaemonProcess.Exit drain = cli("drain", "tftp", "ftp2");

    assertThat(drain.code()).as(drain.output()).isZero();
    assertThat(drain.output())
        .contains("tftp/127.0.0.42:69: drain (weight 0, existing clients finish)")
        .contains("standalone director: no partner to tell");
    Map<String, Object> ftp2 = awaitAdmin(d, "ftp2", "drain");
    assertThat(ftp2.get("weight")).isEqualTo(0L);
    assertThat(ftp2.get("in_ipvs")).isEqualTo(true);
    assertThat(ftp2.get("state")).as("health is still up").isEqualTo("up");
    assertThat(d.metrics())
        .contains(
            "lvs_pulse_real_server_admin_state{address=\"127.0.0.42\",port=\"69\",server=\"ftp2\",state=\"drain\",virtual=\"tftp\"} 1.0",
            "lvs_pulse_real_server_weight{address=\"127.0.0.42\",port=\"69\",server=\"ftp2\",virtual=\"tftp\"} 0.0");
    d.awaitLog(java.util.regex.Pattern.quote("ipvsadm -e -f 1 -r 127.0.0.42:0 -g -w 0"), WAIT);

    // Restart: the drain is still there, before and after the first probes.
    assertThat(d.stop()).isIn(0, 143);
    DaemonProcess again = start();
    assertThat(admin(again.server("tftp", "ftp2"))).isEqualTo("drain");
    awaitUp(again, "ftp2");
    assertThat(again.server("tftp", "ftp2").orElseThrow().get("weight")).isEqualTo(0L);
    assertThat(again.log()).contains("admin state drain", "restored from the state file");

    // A reload that removes ftp2 drops its admin state; one that brings it back starts it enabled.
    Files.writeString(
        dir.resolve("lvs.cf"), config(false).replace("serial_no = 1", "serial_no = 2"));
    again.sighup();
    again.awaitServer("tftp", "ftp2", WAIT, POLL, Optional::isEmpty);
    assertThat(Files.readString(state().resolve("admin-state"))).doesNotContain("127.0.0.42");
    Files.writeString(
        dir.resolve("lvs.cf"), config(true).replace("serial_no = 1", "serial_no = 3"));
    again.sighup();
    assertThat(admin(again.awaitServer("tftp", "ftp2", WAIT, POLL, Optional::isPresent)))
        .isEqualTo("enabled");
  }

  @Test
  void maintenance_over_http_takes_the_server_out_once_drained_and_enable_brings_it_back()
      throws Exception {
    Files.writeString(dir.resolve("lvs.cf"), config(true));
    DaemonProcess d = start();
    awaitUp(d, "ftp1");

    HttpResponse<String> r =
        post(d, "/api/v1/virtual/tftp/server/127.0.0.41/maintenance", "Bearer " + TOKEN);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(MiniJson.object(r.body())).containsEntry("admin", "maintenance");
    Map<String, Object> out =
        d.awaitServer(
                "tftp",
                "ftp1",
                WAIT,
                POLL,
                s -> s.map(m -> Boolean.FALSE.equals(m.get("in_ipvs"))).orElse(false))
            .orElseThrow();
    assertThat(admin(Optional.of(out))).isEqualTo("maintenance");
    assertThat(out.get("state")).as("probes go on").isEqualTo("up");
    d.awaitLog(java.util.regex.Pattern.quote("ipvsadm -d -f 1 -r 127.0.0.41:0"), WAIT);
    assertThat(d.log()).contains("by http 127.0.0.1");

    assertThat(post(d, "/api/v1/virtual/tftp/server/ftp1/enable", "Bearer " + TOKEN).statusCode())
        .isEqualTo(200);
    Map<String, Object> back =
        d.awaitServer(
                "tftp",
                "ftp1",
                WAIT,
                POLL,
                s -> s.map(m -> Long.valueOf(3).equals(m.get("weight"))).orElse(false))
            .orElseThrow();
    assertThat(back.get("in_ipvs")).isEqualTo(true);
  }

  @Test
  void refusals_change_nothing_a_user_outside_the_group_no_token_and_a_wrong_token()
      throws Exception {
    Path setpriv =
        Peers.requireExecutable("setpriv (util-linux)", "LVS_PULSE_SETPRIV", "/usr/bin/setpriv");
    Files.writeString(dir.resolve("lvs.cf"), config(true));
    DaemonProcess d = start();
    awaitUp(d, "ftp2");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())))
        .isEqualTo("rw-rw----");

    // The CLI as nobody (not root, not in the socket's group): the kernel refuses the connect.
    Path pub = Files.createTempDirectory("lvs-pulse-ops-web-it-");
    try {
      Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path jar = pub.resolve("lvs-pulse.jar");
      Files.copy(Peers.jar(), jar);
      Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  setpriv.toString(),
                  "--reuid=65534",
                  "--regid=65534",
                  "--clear-groups",
                  "--",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-XX:-UsePerfData",
                  "-Xmx64m",
                  "-jar",
                  jar.toString(),
                  "drain",
                  "tftp",
                  "ftp2",
                  "--socket",
                  socket().toString()));
      Path out = pub.resolve("out");
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .directory(pub.toFile())
              .start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(out);
      assertThat(p.exitValue()).as(output).isEqualTo(1);
      assertThat(output)
          .contains("permission denied on " + socket())
          .contains("only root and members of group lvs-pulse");
    } finally {
      try (var files = Files.walk(pub)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }

    // HTTP: no token, another scheme, a wrong token.
    String path = "/api/v1/virtual/tftp/server/ftp2/drain";
    assertThat(post(d, path, null).statusCode()).isEqualTo(401);
    assertThat(post(d, path, "Basic cm9vdDpyb290").statusCode()).isEqualTo(401);
    assertThat(post(d, path, "Bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)).statusCode())
        .isEqualTo(403);

    assertThat(admin(d.server("tftp", "ftp2"))).isEqualTo("enabled");
    assertThat(d.server("tftp", "ftp2").orElseThrow().get("weight")).isEqualTo(3L);
    assertThat(d.log())
        .contains("request from 127.0.0.1 without a bearer token: refused (401)")
        .contains("request from 127.0.0.1 with a wrong token: refused (403)")
        .doesNotContain(TOKEN);
    assertThat(Files.readString(state().resolve("admin-state"))).doesNotContain("127.0.0.42");
  }

  @Test
  void a_corrupt_state_file_is_reported_once_and_every_server_starts_enabled() throws Exception {
    Files.writeString(dir.resolve("lvs.cf"), config(true));
    Files.createDirectories(state());
    Files.writeString(
        state().resolve("admin-state"), "lvs-pulse-admin-state 1\n\u0000\u0001garbage\n");

    DaemonProcess d = start();

    assertThat(admin(d.server("tftp", "ftp2"))).isEqualTo("enabled");
    assertThat(d.log().lines().filter(l -> l.contains("admin state file unusable")).count())
        .isEqualTo(1);
    assertThat(d.log()).contains("line 2: expected 7 TAB-separated fields");
    assertThat(state().resolve("admin-state.corrupt")).exists();
    d.assertAlive();
    assertThat(cli("drain", "tftp", "ftp2").code()).isZero();
    assertThat(Files.readString(state().resolve("admin-state"))).contains("127.0.0.42\t69\tdrain");
  }
}
