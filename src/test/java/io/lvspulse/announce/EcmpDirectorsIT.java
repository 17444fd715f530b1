package io.lvspulse.announce;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.BirdProcess;
import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.EcmpLab;
import io.lvspulse.testing.MiniJson;
import io.lvspulse.testing.NetNs;
import io.lvspulse.testing.Peers;
import io.lvspulse.testing.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ECMP mode's control plane end to end, in network namespaces ({@link EcmpLab}): a router running
 * BIRD with the shipped router template ({@code merge paths on}, hashing on ports), three directors
 * each running BIRD (the shipped director template) and a real {@code lvs-pulse run} (the shaded
 * jar, {@code director_mode = ecmp}, dry-run IPVS), and three real tftpd-hpa servers on the
 * servers' bridge. Every event of docs/ecmp.md is provoked in turn and its time measured from the
 * outside, on the router's kernel FIB:
 *
 * <ol>
 *   <li>start: the router has one route with three next hops;
 *   <li>one real server killed everywhere: every director quiesces it to weight 0 and all three
 *       routes stay;
 *   <li>one director's link to the real servers cut: its route goes within fall x interval of its
 *       monitor marking them down, and comes back when the link does;
 *   <li>a drain withdraws a director's route, an undrain restores it;
 *   <li>kill -9 of an lvs-pulse: the route stays until {@code announce --withdraw-all} (systemd's
 *       ExecStopPost) runs; the restarted daemon announces again;
 *   <li>kill -9 of a director's BIRD (the BGP session closes), and a director cut off from the
 *       router (the hold timer): the router drops its next hop; a restarted BIRD converges back;
 *   <li>SIGTERM: the director withdraws before it exits.
 * </ol>
 *
 * <p>Needs root, bird2, tftpd-hpa and curl; skipped without them, failed under {@code CI=true}.
 * Logs and the measured times ({@code measured.txt}) are kept in {@code
 * target/it-logs/EcmpDirectorsIT/}.
 */
class EcmpDirectorsIT {
  static final String VIP = "203.0.113.10";
  static final int DIRECTORS = 3;
  static final int REAL_SERVERS = 3;
  static final Duration INTERVAL = Duration.ofMillis(500);
  static final int RISE = 2;
  static final int FALL = 2;
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  static final Duration STARTUP = Duration.ofSeconds(90);
  static final ExecRunner RUNNER = new ExecRunner();

  private static Path tftpd;

  @TempDir Path tmp;
  private final Path logs = Path.of("target", "it-logs", "EcmpDirectorsIT").toAbsolutePath();
  private @Nullable EcmpLab lab;
  private @Nullable BirdProcess router;
  private final List<BirdProcess> birds = new ArrayList<>();
  private final List<Director> directors = new ArrayList<>();
  private final List<@Nullable Process> servers = new ArrayList<>();
  private final List<String> measured = new ArrayList<>();

  @BeforeAll
  static void peers() {
    Peers.jar();
    BirdProcess.binary();
    tftpd = Peers.inTftpd();
    Peers.requireExecutable(
        "curl (reads /status inside the namespaces)", "LVS_PULSE_CURL", "/usr/bin/curl");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Director d : directors) {
      d.kill9();
    }
    for (BirdProcess b : birds) {
      b.close();
    }
    if (router != null) {
      router.close();
    }
    for (int m = 1; m <= servers.size(); m++) {
      stopServer(m);
    }
    if (lab != null) {
      lab.close();
    }
    Files.createDirectories(logs);
    Files.write(logs.resolve("measured.txt"), measured, StandardCharsets.UTF_8);
    System.out.println("EcmpDirectorsIT logs: " + logs);
  }

  @Test
  void
      three_directors_announce_through_bird_and_every_health_and_lifecycle_event_moves_the_routers_next_hops()
          throws Exception {
    Files.createDirectories(logs);
    EcmpLab l = EcmpLab.create(DIRECTORS, REAL_SERVERS);
    lab = l;
    Set<String> all = Set.of(EcmpLab.director(1), EcmpLab.director(2), EcmpLab.director(3));
    router =
        BirdProcess.start(
            l.router,
            tmp,
            "router",
            BirdAnnouncerIT.routerConfig(
                EcmpLab.ROUTER_ADDRESS, List.copyOf(new java.util.TreeSet<>(all))));
    for (int n = 1; n <= DIRECTORS; n++) {
      birds.add(
          BirdProcess.start(
              l.directorNs(n),
              tmp,
              "bird" + n,
              BirdAnnouncerIT.directorConfig(
                  EcmpLab.director(n), EcmpLab.ROUTER_ADDRESS, List.of(VIP))));
    }
    Path root = tmp.resolve("tftproot");
    Files.createDirectories(root);
    Files.writeString(root.resolve("boot.txt"), "hello\n");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (int m = 1; m <= REAL_SERVERS; m++) {
      servers.add(null);
      startServer(m, root);
    }

    // 1. Start: three directors, three next hops.
    long t0 = System.nanoTime();
    for (int n = 1; n <= DIRECTORS; n++) {
      Director d = new Director(n);
      directors.add(d);
      d.start();
    }
    long allUp = await("3 next hops on the router", STARTUP, () -> l.nextHops(VIP).equals(all));
    measure("start of 3 lvs-pulse processes -> the router has 3 next hops", allUp);
    for (Director d : directors) {
      Map<String, Object> vip = d.vip();
      assertThat(vip).containsEntry("announced", true).containsEntry("reason", "healthy");
    }
    assertThat(l.route(VIP)).contains("nexthop via");

    // 2. One real server killed everywhere: quiesced to weight 0 on every director, 3 routes stay.
    long k = System.nanoTime();
    stopServer(1);
    String rs1 = EcmpLab.realServer(1);
    long quiesced =
        awaitWhile(
            "every director has " + rs1 + " down at weight 0",
            Duration.ofSeconds(20),
            () -> directors.stream().allMatch(d -> weightOf(d.status(), rs1) == 0),
            () -> assertThat(l.nextHops(VIP)).as("all routes stay").isEqualTo(all));
    measure(
        "real server killed everywhere -> weight 0 on all 3 directors (routes stay 3)", quiesced);
    for (Director d : directors) {
      Map<String, Object> s = server(d.status(), rs1);
      assertThat(s).containsEntry("state", "down").containsEntry("in_ipvs", true);
      assertThat(d.log()).doesNotContain("ipvsadm -d ");
    }
    Waits.holds(
        "all routes stay",
        INTERVAL.multipliedBy(FALL + 2),
        Duration.ofMillis(100),
        () -> assertThat(l.nextHops(VIP)).isEqualTo(all));
    startServer(1, root);
    await(
        "every director has " + rs1 + " up again",
        Duration.ofSeconds(30),
        () -> directors.stream().allMatch(d -> weightOf(d.status(), rs1) == 1));
    assertThat((System.nanoTime() - k) / 1_000_000).isPositive();

    // 3. Director 2 loses its real servers: its route goes within fall x interval of the last DOWN.
    Director d2 = directors.get(1);
    long cut = System.nanoTime();
    l.serverLink(2, false);
    Set<String> without2 = Set.of(EcmpLab.director(1), EcmpLab.director(3));
    long gone =
        await(
            "director 2's next hop withdrawn",
            Duration.ofSeconds(20),
            () -> l.nextHops(VIP).equals(without2));
    Instant goneAt = Instant.now();
    Instant lastDown = lastDown(d2.status());
    Duration afterDown = Duration.between(lastDown, goneAt);
    measure("director 2 cut from its real servers -> its next hop gone", gone);
    measure("  of which after its monitor marked the last server down", afterDown.toMillis());
    assertThat(afterDown)
        .as("withdrawn within fall x interval (+ one tick and BGP) of the last DOWN")
        .isLessThanOrEqualTo(INTERVAL.multipliedBy(FALL).plusMillis(700));
    assertThat(d2.vip()).containsEntry("announced", false).containsEntry("reason", "below_quorum");
    long back = System.nanoTime();
    l.serverLink(2, true);
    long restored =
        await(
            "director 2's next hop back",
            Duration.ofSeconds(30),
            () -> l.nextHops(VIP).equals(all));
    measure("director 2's real-server link restored -> its next hop back", restored);
    assertThat(cut).isLessThan(back);

    // 4. Drain and undrain director 1 (the CLI writes the drain flag the daemon watches).
    Director d1 = directors.get(0);
    long dr = System.nanoTime();
    DaemonProcess.Exit drain = d1.announceCli("--drain");
    assertThat(drain.code()).as(drain.output()).isZero();
    Set<String> without1 = Set.of(EcmpLab.director(2), EcmpLab.director(3));
    await("director 1 drained", Duration.ofSeconds(10), () -> l.nextHops(VIP).equals(without1));
    measure(
        "announce --drain -> next hop gone (the CLI's JVM start and its 2-interval wait included)",
        (System.nanoTime() - dr) / 1_000_000);
    Waits.holds(
        "a drained director stays withdrawn",
        INTERVAL.multipliedBy(RISE + 3),
        Duration.ofMillis(100),
        () ->
            assertThat(l.nextHops(VIP))
                .as("a drained director stays withdrawn")
                .isEqualTo(without1));
    assertThat(d1.vip()).containsEntry("reason", "drained");
    long ud = System.nanoTime();
    DaemonProcess.Exit undrain = d1.announceCli("--undrain");
    assertThat(undrain.code()).as(undrain.output()).isZero();
    await("director 1 undrained", Duration.ofSeconds(15), () -> l.nextHops(VIP).equals(all));
    measure(
        "announce --undrain -> next hop back (the CLI's JVM start and the rise time included)",
        (System.nanoTime() - ud) / 1_000_000);

    // 5. kill -9 of director 3's lvs-pulse: BIRD keeps announcing until ExecStopPost's
    //    `announce --withdraw-all`; the restarted daemon announces again.
    Director d3 = directors.get(2);
    d3.kill9();
    long killed = System.nanoTime();
    Waits.holds(
        "BIRD still announces for a killed lvs-pulse",
        Duration.ofSeconds(2),
        Duration.ofMillis(100),
        () ->
            assertThat(l.nextHops(VIP))
                .as("BIRD still announces for a killed lvs-pulse")
                .isEqualTo(all));
    long w = System.nanoTime();
    DaemonProcess.Exit withdraw = d3.announceCli("--withdraw-all");
    assertThat(withdraw.code()).as(withdraw.output()).isZero();
    Set<String> without3 = Set.of(EcmpLab.director(1), EcmpLab.director(2));
    await(
        "director 3 withdrawn by announce --withdraw-all",
        Duration.ofSeconds(10),
        () -> l.nextHops(VIP).equals(without3));
    measure(
        "kill -9 lvs-pulse, then announce --withdraw-all (ExecStopPost; JVM start included) -> next"
            + " hop gone",
        (System.nanoTime() - w) / 1_000_000);
    long rs = System.nanoTime();
    d3.start();
    long restarted =
        await("restarted director 3 announces", STARTUP, () -> l.nextHops(VIP).equals(all));
    measure("lvs-pulse restarted -> next hop back", restarted);
    assertThat(killed).isLessThan(rs);

    // 6a. kill -9 of director 3's BIRD: the router loses the session at once.
    BirdProcess b3 = birds.get(2);
    b3.kill9();
    long birdGone =
        await(
            "director 3's BIRD killed -> next hop gone",
            Duration.ofSeconds(20),
            () -> l.nextHops(VIP).equals(without3));
    measure("kill -9 of a director's BIRD -> its next hop gone", birdGone);
    await(
        "director 3 reports BIRD unreachable",
        Duration.ofSeconds(10),
        () -> d3.director().get("router_error") != null);
    long br = System.nanoTime();
    b3.start();
    long birdBack =
        await(
            "director 3's restarted BIRD converged",
            Duration.ofSeconds(60),
            () -> l.nextHops(VIP).equals(all));
    measure(
        "director's BIRD restarted -> next hop back (BGP set-up + an lvs-pulse tick)", birdBack);
    assertThat(b3.log()).contains("Enabling protocol vip_203_0_113_10");
    assertThat(br).isPositive();

    // 6b. Director 3 cut off from the router (a dead host): the router's hold timer drops it.
    l.routerLink(3, false);
    long holdGone =
        await(
            "director 3 cut from the router -> next hop gone",
            Duration.ofSeconds(30),
            () -> l.nextHops(VIP).equals(without3));
    measure("director cut from the router (hold time 9 s) -> its next hop gone", holdGone);
    l.routerLink(3, true);
    long linkBack =
        await(
            "director 3 reconnected -> next hop back",
            Duration.ofSeconds(90),
            () -> l.nextHops(VIP).equals(all));
    measure("director reconnected to the router -> next hop back", linkBack);

    // 7. SIGTERM withdraws first: the next hop is gone before the process has exited.
    long st = System.nanoTime();
    d1.sigterm();
    long sigGone =
        await(
            "SIGTERM of director 1 -> next hop gone",
            Duration.ofSeconds(20),
            () -> l.nextHops(VIP).equals(without1));
    measure("SIGTERM of lvs-pulse -> next hop gone", sigGone);
    d1.awaitExit();
    assertThat(d1.log()).contains("ECMP: every VIP withdrawn");
    assertThat(st).isPositive();
    measured.forEach(m -> System.out.println("MEASURED " + m));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private void measure(String what, long ms) {
    measured.add(String.format("%-100s %6d ms", what, ms));
  }

  private void startServer(int m, Path root) throws IOException {
    String a = EcmpLab.realServer(m);
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                java.util.Objects.requireNonNull(lab).servers,
                tftpd.toString(),
                "-L",
                "-a",
                a + ":69",
                "-s",
                "-u",
                "nobody",
                root.toString())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(logs.resolve("tftpd-" + a + ".log").toFile()))
            .start();
    servers.set(m - 1, p);
  }

  private void stopServer(int m) throws InterruptedException {
    Process p = servers.get(m - 1);
    servers.set(m - 1, null);
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  static long await(String what, Duration max, BooleanSupplier cond) throws InterruptedException {
    return awaitWhile(what, max, cond, () -> {});
  }

  /** Waits for {@code cond}, checking {@code invariant} at every poll; returns the ms it took. */
  static long awaitWhile(String what, Duration max, BooleanSupplier cond, Runnable invariant)
      throws InterruptedException {
    return Waits.until(
        what,
        max,
        Duration.ofMillis(50),
        () -> {
          invariant.run();
          try {
            return cond.getAsBoolean();
          } catch (RuntimeException e) {
            return false; // not there yet (starting, restarting)
          }
        },
        () -> "timed out after " + max + " waiting until " + what);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> server(Map<String, Object> status, String address) {
    List<Object> list = (List<Object>) MiniJson.at(status, "virtuals", 0, "servers");
    for (Object o : list) {
      Map<String, Object> s = (Map<String, Object>) o;
      if (address.equals(s.get("address"))) {
        return s;
      }
    }
    throw new AssertionError("no server " + address + " in /status");
  }

  static int weightOf(Map<String, Object> status, String address) {
    Object w = server(status, address).get("ipvs_weight");
    return w == null ? -1 : ((Number) w).intValue();
  }

  @SuppressWarnings("unchecked")
  static Instant lastDown(Map<String, Object> status) {
    Instant last = Instant.MIN;
    for (Object o : (List<Object>) MiniJson.at(status, "virtuals", 0, "servers")) {
      Map<String, Object> s = (Map<String, Object>) o;
      assertThat(s.get("state")).isEqualTo("down");
      Instant since = Instant.parse((String) s.get("since"));
      last = since.isAfter(last) ? since : last;
    }
    return last;
  }

  private Path config(int n) throws IOException {
    StringBuilder rs = new StringBuilder();
    for (int m = 1; m <= REAL_SERVERS; m++) {
      rs.append(
          """
               server rs%d {
                   address = %s
                   active = 1
               }
          """
              .formatted(m, EcmpLab.realServer(m)));
    }
    String cfg =
        """
        director_mode = ecmp
        announce_interval = %dms
        announce_rise = %d
        announce_fall = %d
        bird_socket = %s
        udp_timeout = 10
        network = direct
        virtual tftp {
             active = 1
             address = %s lo
             fwmark = 1
             port = 69
             protocol = udp
             scheduler = mh
             send_program = "/usr/local/bin/check_tftp --connect %%h"
             expect = "OK - answer from server"
             timeout = %d
             reentry = %d
             quiesce_server = 1
        %s}
        """
            .formatted(
                INTERVAL.toMillis(),
                RISE,
                FALL,
                tmp.resolve("bird" + n + ".ctl"),
                VIP,
                PROBE_INTERVAL.toSeconds(),
                PROBE_INTERVAL.toSeconds(),
                rs);
    Path f = tmp.resolve("lvs" + n + ".cf");
    Files.writeString(f, cfg);
    return f;
  }

  /** One {@code lvs-pulse run} inside director namespace N. */
  final class Director {
    final int n;
    final String ns;
    final Path config;
    final Path drainFile;
    final Path log;
    private @Nullable Process process;

    Director(int n) throws IOException {
      this.n = n;
      this.ns = java.util.Objects.requireNonNull(lab).directorNs(n);
      this.config = config(n);
      this.drainFile = tmp.resolve("drain" + n);
      this.log = logs.resolve("director" + n + ".log");
      Files.deleteIfExists(log);
    }

    void start() throws IOException {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
      cmd.addAll(DaemonProcess.javaCommand());
      cmd.addAll(DaemonProcess.RUN_ADMIN_OFF);
      cmd.addAll(
          List.of(
              "--config",
              config.toString(),
              "--ipvs",
              "dry-run",
              "--listen",
              "127.0.0.1:9539",
              "--drain-file",
              drainFile.toString()));
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
    }

    /** `lvs-pulse announce ARGS` for this director (run from the host: the socket is a file). */
    DaemonProcess.Exit announceCli(String... args) throws IOException, InterruptedException {
      List<String> a =
          new ArrayList<>(
              List.of(
                  "announce", "--config", config.toString(), "--drain-file", drainFile.toString()));
      a.addAll(List.of(args));
      return DaemonProcess.runToExit(Duration.ofSeconds(60), a);
    }

    void kill9() throws InterruptedException {
      Process p = process;
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }

    void sigterm() {
      Process p = process;
      if (p != null) {
        p.destroy();
      }
    }

    void awaitExit() throws InterruptedException {
      Process p = java.util.Objects.requireNonNull(process);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits within 20 s of SIGTERM").isTrue();
    }

    Map<String, Object> status() {
      ExecResult r = NetNs.curl(ns, "http://127.0.0.1:9539/status");
      if (!r.succeeded() || r.stdout().isBlank()) {
        throw new IllegalStateException("director " + n + ": /status unreachable: " + r.describe());
      }
      return MiniJson.object(r.stdout());
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> director() {
      return (Map<String, Object>) status().get("director");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> vip() {
      return (Map<String, Object>) MiniJson.at(status(), "director", "vips", 0);
    }

    String log() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }
  }
}
