package io.lvspulse.e2e;

import static io.lvspulse.e2e.TftpThroughIpvsIT.RIP;
import static io.lvspulse.testing.TftpE2e.awaitLoadGenerator;
import static io.lvspulse.testing.TftpE2e.between;
import static io.lvspulse.testing.TftpE2e.destroy;
import static io.lvspulse.testing.TftpE2e.failed;
import static io.lvspulse.testing.TftpE2e.javaCp;
import static io.lvspulse.testing.TftpE2e.loadAverage;
import static io.lvspulse.testing.TftpE2e.s;
import static io.lvspulse.testing.TftpE2e.summary;
import static io.lvspulse.testing.TftpE2e.tftpdHpa;
import static io.lvspulse.testing.TftpE2e.whoTxtRoot;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecResult;
import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.Lab;
import io.lvspulse.testing.MiniJson;
import io.lvspulse.testing.Pause;
import io.lvspulse.testing.Peers;
import io.lvspulse.testing.TftpE2e;
import io.lvspulse.testing.TftpLoad;
import io.lvspulse.testing.TftpLoad.Transfer;
import io.lvspulse.testing.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Director failover on real IPVS, real packets (issue 11 section 1): two lab directors, each its
 * own IPVS (a network namespace of the lab's IPVS kernel), each driven by its own {@code lvs-pulse
 * run} with the same lvs.cf: {@code syncdaemon = 1} (the kernel's sync daemon between the two
 * directors' NICs), {@code manage_firewall = 1} (the active director installs the fwmark rules),
 * {@code monitor_links = 1}, the VIP 10.0.0.40 brought up by the active director and announced by
 * gratuitous ARP. The clients and real servers are the end-to-end test's (three tftpd-hpa servers
 * by direct routing, 8 sticky and 150 fresh client addresses).
 *
 * <pre>
 *   director fo1  10.0.0.1   IPVS, nft, sync daemon; lvs-pulse in host foctl1 (10.0.0.11, primary)
 *   director fo2  10.0.0.5   IPVS, nft, sync daemon; lvs-pulse in host foctl2 (10.0.0.12, backup)
 *   hosts e2ers1..2, e2ecli as in TftpThroughIpvsIT (the VIP is 10.0.0.40 here)
 * </pre>
 *
 * One load run of TFTP GETs goes through four takeovers in turn, each measured: {@code kill -9} of
 * the active lvs-pulse, SIGTERM of the active, the active director's link down, the active
 * director's IPVS unprogrammable (its ipvsadm wrapper fails). After each one the old active comes
 * back and must stay passive, and is the target of the next takeover. Numbers go to {@code
 * target/e2e/two-directors.txt}, transfers to {@code target/e2e/two-directors/transfers.csv}.
 * {@code -De2e.scheduler=mh -De2e.syncdaemon=0} repeats it with the mh scheduler and no sync
 * daemon: both directors hash the source address to the same real server.
 */
class TwoDirectorTftpIT {
  static final String VIP = "10.0.0.40";
  static final String SCHEDULER = System.getProperty("e2e.scheduler", "wlc");
  static final boolean SYNCD = !"0".equals(System.getProperty("e2e.syncdaemon", "1"));
  static final List<String> STICKY =
      IntStream.rangeClosed(50, 57).mapToObj(i -> "10.0.0." + i).toList();
  static final List<String> FRESH =
      IntStream.rangeClosed(100, 249).mapToObj(i -> "10.0.0." + i).toList();

  static Lab lab;
  static Path out;
  static Path dir;
  static final Map<String, Lab.Host> rs = new LinkedHashMap<>();
  static Lab.Host cli;
  static final Map<String, Process> tftpds = new LinkedHashMap<>();

  final Map<String, Object> numbers = new LinkedHashMap<>();
  final List<Side> sides = new ArrayList<>();
  @Nullable Process load;
  @Nullable Process longLoad;

  /**
   * The long transfers' file: 512 KiB, 1,024 blocks (about 0.7 s through the TCG guest; 2 MiB at
   * 1.5/s loaded the guest enough to slow every takeover 2-3x).
   */
  static final int LONG_FILE_BYTES = 512 * 1024;

  @BeforeAll
  static void theLan() throws Exception {
    lab = Lab.get();
    Path tftpd = Peers.inTftpd();
    Peers.jar();
    out = Path.of("target", "e2e").toAbsolutePath();
    dir = out.resolve("two-directors");
    TftpE2e.deleteTree(dir);
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String name : List.of("rs1", "rs2")) {
      Lab.Host h = lab.host("e2e" + name, RIP.get(name) + "/24");
      TftpE2e.noArpForTheVip(h);
      h.must("ip", "addr", "add", VIP + "/32", "dev", "lo");
      rs.put(name, h);
      Path root = whoTxtRoot(dir, name);
      StringBuilder big = new StringBuilder("served by " + name + "\n");
      while (big.length() < LONG_FILE_BYTES) {
        big.append(name.charAt(2));
      }
      Files.writeString(root.resolve("long.txt"), big);
      Files.setPosixFilePermissions(
          root.resolve("long.txt"), PosixFilePermissions.fromString("rw-r--r--"));
      tftpds.put(
          name,
          h.start(dir.resolve("tftpd-" + name + ".log"), tftpdHpa(tftpd, "0.0.0.0:69", root)));
      h.must(javaCp("ping", "127.0.0.1", "10000").toArray(String[]::new));
    }
    List<String> cidrs = new ArrayList<>();
    STICKY.forEach(a -> cidrs.add(a + "/24"));
    FRESH.forEach(a -> cidrs.add(a + "/24"));
    cli = lab.host("e2ecli", cidrs.toArray(String[]::new));
  }

  @AfterAll
  static void tearDownTheLan() throws Exception {
    for (Process p : tftpds.values()) {
      destroy(p);
    }
    for (Lab.Host h : rs.values()) {
      h.close();
    }
    rs.clear();
    if (cli != null) {
      cli.close();
    }
  }

  @AfterEach
  void stopEverything() throws Exception {
    destroy(load);
    destroy(longLoad);
    for (Side s : sides) {
      s.close();
    }
    StringBuilder b = new StringBuilder();
    numbers.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(
        out.resolve("two-directors" + ("wlc".equals(SCHEDULER) ? "" : "-" + SCHEDULER) + ".txt"),
        b.toString());
    System.out.print(b);
  }

  /** One director: its IPVS namespace in the lab and its lvs-pulse in a host namespace. */
  final class Side implements AutoCloseable {
    final String name;
    final String address;
    final Lab.Director director;
    final Lab.Host ctl;
    final Path broken;
    final Path ipvsadm;
    @Nullable Process daemon;
    int starts;

    Side(String name, String address, String ctlAddress) throws IOException {
      this.name = name;
      this.address = address;
      director = lab.director(name);
      director.must("ip", "addr", "add", address + "/24", "dev", "eth0");
      ctl = lab.host(name.replace("fo", "foctl"), ctlAddress + "/24");
      broken = dir.resolve(name + ".broken");
      Files.deleteIfExists(broken);
      // the director's ipvsadm, which fails like a host without IPVS while the flag file exists
      ipvsadm = dir.resolve(name + "-ipvsadm");
      Files.writeString(
          ipvsadm,
          "#!/bin/sh\n[ -e '"
              + broken
              + "' ] && { echo \"Can't initialize ipvs: Protocol not available (broken by the test)\" >&2; exit 2; }\nexec '"
              + director.ipvsadm()
              + "' \"$@\"\n");
      ipvsadm.toFile().setExecutable(true);
    }

    void start(Path config) throws IOException {
      starts++;
      List<String> cmd = new ArrayList<>(DaemonProcess.javaCommand());
      cmd.addAll(
          List.of(
              "run",
              "--config",
              config.toString(),
              "--listen",
              "127.0.0.1:9539",
              "--ipvs",
              "ipvsadm",
              "--ipvsadm",
              ipvsadm.toString(),
              "--reconcile-interval",
              "2",
              "--command-prefix",
              String.join(",", director.prefix())));
      daemon = ctl.start(dir.resolve(name + "-daemon-" + starts + ".log"), cmd);
    }

    Optional<Map<String, Object>> status() {
      try {
        return Optional.of(
            MiniJson.object(
                ctl.must("curl", "-sS", "--max-time", "3", "http://127.0.0.1:9539/status")));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }

    @SuppressWarnings("unchecked")
    @Nullable Object dir(String field) {
      return status().map(s -> ((Map<String, Object>) s.get("director")).get(field)).orElse(null);
    }

    boolean holdsVip() {
      ExecResult r = director.exec("ip", "-o", "-4", "addr", "show", "dev", "eth0");
      return r.succeeded() && r.stdout().contains("inet " + VIP + "/");
    }

    /** {@code ipvsadm -L -n -c} in this director: [connections, templates]. */
    long[] connections() {
      ExecResult r = director.exec("ipvsadm", "-L", "-n", "-c");
      long conns = 0;
      long templates = 0;
      for (String l : r.stdout().lines().toList()) {
        String[] f = l.trim().split("\\s+");
        if (f.length >= 5 && (f[0].equals("UDP") || f[0].equals("IP"))) {
          if (f[3].endsWith(":0") || f[0].equals("IP")) {
            templates++;
          } else {
            conns++;
          }
        }
      }
      return new long[] {conns, templates};
    }

    void kill9() throws InterruptedException {
      Process p = daemon;
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }

    void sigterm() throws InterruptedException {
      Process p = daemon;
      if (p != null) {
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(name + " stops on SIGTERM").isTrue();
      }
    }

    @Override
    public void close() {
      try {
        destroy(daemon);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ctl.close();
      director.close();
    }
  }

  static String config() throws IOException {
    String seed = Files.readString(Path.of("etc/lvs.cf"));
    String head = seed.substring(0, seed.indexOf("    server ftp1 {"));
    head =
        head.replace("    timeout = 6\n", "    timeout = 2\n")
            .replace("    reentry = 15\n", "    reentry = 4\n")
            .replace("    scheduler = wlc\n", "    scheduler = " + SCHEDULER + "\n")
            .replace("# udp_timeout = 10\n", "udp_timeout = 10\n")
            .replace("primary = 192.0.2.1\n", "primary = 10.0.0.11\n")
            .replace("backup = 192.0.2.2\n", "backup = 10.0.0.12\n")
            .replace("keepalive = 2\n", "keepalive = 0.2\n")
            .replace("deadtime = 6\n", "deadtime = 0.8\nmonitor_links = 1\nmanage_firewall = 1\n")
            .replace("syncd_id = 0\n", "syncd_id = 7\n")
            .replace("syncdaemon = 1\n", "syncdaemon = " + (SYNCD ? 1 : 0) + "\n")
            .replace("address = 203.0.113.10 eth0:1", "address = " + VIP + " eth0:1");
    assertThat(head).contains("primary = 10.0.0.11", "keepalive = 0.2", "address = " + VIP);
    StringBuilder b = new StringBuilder(head);
    for (String s : List.of("rs1", "rs2")) {
      b.append("    server ")
          .append(s)
          .append(" {\n        address = ")
          .append(RIP.get(s))
          .append("\n        active = 1\n        weight = 1\n    }\n\n");
    }
    return b.append("}\n").toString();
  }

  static long await(String what, Duration max, BooleanSupplier c) throws InterruptedException {
    Waits.until(
        what,
        max,
        Duration.ofMillis(50),
        c::getAsBoolean,
        () -> "timed out after " + max + " waiting until " + what);
    return System.currentTimeMillis();
  }

  /** The server of each sticky client's last good transfer that ended before {@code t}. */
  static Map<String, String> stickyServersBefore(List<Transfer> all, long t) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Transfer x : all) {
      if (x.kind().equals("sticky") && x.ok() && x.endMs() < t) {
        m.put(x.client(), x.server());
      }
    }
    return m;
  }

  /** The server of each sticky client's first good transfer that started after {@code t}. */
  static Map<String, String> stickyServersAfter(List<Transfer> all, long t) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Transfer x : all) {
      if (x.kind().equals("sticky") && x.ok() && x.startMs() > t) {
        m.putIfAbsent(x.client(), x.server());
      }
    }
    return m;
  }

  record Takeover(String what, long event, long vipMoved, long[] connsBefore, long[] connsAfter) {}

  @Test
  void four_takeovers_under_tftp_load_each_measured_and_persistent_clients_keep_their_server()
      throws Exception {
    Path config = dir.resolve("lvs.cf");
    Files.writeString(config, config());
    Side a = new Side("fo1", "10.0.0.1", "10.0.0.11");
    sides.add(a);
    Side b = new Side("fo2", "10.0.0.5", "10.0.0.12");
    sides.add(b);
    a.start(config);
    await("fo1 active with the VIP", Duration.ofSeconds(90), a::holdsVip);
    b.start(config);
    await("fo2 hears fo1", Duration.ofSeconds(90), () -> "running".equals(b.dir("partner_state")));
    Path csv = dir.resolve("transfers.csv");
    load =
        cli.start(
            dir.resolve("load.log"),
            javaCp(
                "run",
                VIP,
                "who.txt",
                csv.toString(),
                "150000",
                "10",
                "2",
                "1000",
                String.join(",", STICKY),
                String.join(",", FRESH)));
    // Long transfers (1,024 blocks each) from the sticky clients, 2 a second, retried up to 5
    // times in all: the transfers in flight at each event.
    Path longCsv = dir.resolve("long-transfers.csv");
    longLoad =
        cli.start(
            dir.resolve("long-load.log"),
            javaCp(
                "run",
                VIP,
                "long.txt",
                longCsv.toString(),
                "150000",
                "2",
                "0",
                "1000x5",
                String.join(",", STICKY),
                ""));
    long t0 = System.currentTimeMillis();
    Pause.pace(Duration.ofSeconds(5), "five seconds of load before the first takeover");
    List<Takeover> takeovers = new ArrayList<>();

    // 1. kill -9 of the active lvs-pulse (fo1): fo2 takes over after deadtime.
    takeovers.add(takeover("kill -9 of the active lvs-pulse", a, b, () -> a.kill9()));
    a.start(config); // back: must stay passive
    awaitPassive(a, b);

    // 2. SIGTERM of the active (fo2): it hands the VIP over at once.
    takeovers.add(takeover("SIGTERM of the active lvs-pulse", b, a, () -> b.sigterm()));
    b.start(config);
    awaitPassive(b, a);

    // 3. the active director's link goes down (fo1's eth0, monitor_links = 1).
    takeovers.add(
        takeover(
            "the active director's link down",
            a,
            b,
            () -> a.director.must("ip", "link", "set", "eth0", "down")));
    a.director.must("ip", "link", "set", "eth0", "up");
    await(
        "fo1's link problem clears",
        Duration.ofSeconds(30),
        () -> a.status().isPresent() && a.dir("local_problem") == null);
    awaitPassive(a, b);

    // 4. the active director's IPVS becomes unprogrammable (fo2's ipvsadm fails).
    takeovers.add(
        takeover(
            "the active director's IPVS unprogrammable",
            b,
            a,
            () -> Files.writeString(b.broken, "")));
    Files.deleteIfExists(b.broken);

    // The last window ends 3 s after the VIP moved (takeover() has had 1 s of it): end the load
    // there rather than at its 100 s limit.
    Pause.pace(Duration.ofSeconds(3), "the last takeover's window of load");
    Files.writeString(Path.of(csv + ".stop"), "");
    Files.writeString(Path.of(longCsv + ".stop"), "");
    List<Transfer> all = awaitLoad(csv);
    Process lp = longLoad;
    assertThat(lp).isNotNull();
    assertThat(lp.waitFor(2, TimeUnit.MINUTES)).as("long load finished").isTrue();
    List<Transfer> longs = TftpLoad.read(longCsv);
    numbers.put("long transfers (512 KiB)", summary(longs));
    numbers.put("scheduler", SCHEDULER);
    numbers.put("syncdaemon", SYNCD ? 1 : 0);
    numbers.put("all transfers", summary(all));
    numbers.put("load average", loadAverage());
    int stickyKept = 0;
    int stickyChecked = 0;
    Map<String, List<String>> perTakeover = new LinkedHashMap<>();
    Map<String, long[]> longFlight = new LinkedHashMap<>();
    for (Takeover t : takeovers) {
      List<Transfer> window = between(all, t.event() - 2000, t.vipMoved() + 3000);
      long inFlight =
          all.stream().filter(x -> x.startMs() <= t.event() && x.endMs() > t.event()).count();
      long inFlightFailed =
          all.stream()
              .filter(x -> x.startMs() <= t.event() && x.endMs() > t.event() && !x.ok())
              .count();
      // exposed to the takeover: started before the VIP moved, still running at the event
      List<Transfer> longInFlight =
          longs.stream().filter(x -> x.startMs() <= t.vipMoved() && x.endMs() > t.event()).toList();
      long longInFlightFailed = longInFlight.stream().filter(x -> !x.ok()).count();
      longFlight.put(t.what(), new long[] {longInFlight.size(), longInFlightFailed});
      Optional<Transfer> firstOk =
          all.stream().filter(x -> x.startMs() > t.vipMoved() && x.ok()).findFirst();
      Map<String, String> before = stickyServersBefore(all, t.event());
      Map<String, String> after = stickyServersAfter(all, t.vipMoved());
      long same = before.keySet().stream().filter(c -> before.get(c).equals(after.get(c))).count();
      long checked = before.keySet().stream().filter(after::containsKey).count();
      stickyKept += (int) same;
      stickyChecked += (int) checked;
      List<String> moved =
          before.keySet().stream()
              .filter(c -> after.containsKey(c) && !before.get(c).equals(after.get(c)))
              .map(c -> c + " " + before.get(c) + " -> " + after.get(c))
              .sorted()
              .toList();
      perTakeover.put(t.what(), moved);
      numbers.put(
          t.what(),
          "VIP on the other director after "
              + s(t.vipMoved() - t.event())
              + "; failed "
              + failed(window)
              + "/"
              + window.size()
              + " (event - 2 s .. VIP + 3 s), in flight at the event "
              + inFlight
              + " of which failed "
              + inFlightFailed
              + "; long transfers running across the takeover (event .. VIP moved) "
              + longInFlight.size()
              + " of which failed "
              + longInFlightFailed
              + "; first good transfer after the VIP moved: "
              + firstOk.map(x -> s(x.startMs() - t.vipMoved())).orElse("never")
              + "; new active's ipvsadm -L -n -c before/after [conns, templates] "
              + java.util.Arrays.toString(t.connsBefore())
              + " / "
              + java.util.Arrays.toString(t.connsAfter())
              + "; sticky clients on the same server after: "
              + same
              + "/"
              + before.size());
    }
    numbers.put(
        "sticky clients that kept their server (all takeovers)", stickyKept + "/" + stickyChecked);

    for (Takeover t : takeovers) {
      if (SYNCD) {
        assertThat(t.connsBefore()[1])
            .as("%s: the new active had the persistence templates from the sync daemon", t.what())
            .isPositive();
      }
    }
    assertThat(stickyChecked).isGreaterThanOrEqualTo(3 * STICKY.size());
    // A long transfer running across a kill -9 or a SIGTERM takeover survives it (its packets
    // are retried up to 5 times in all; the gap is about 2 s here).
    for (String what :
        List.of("kill -9 of the active lvs-pulse", "SIGTERM of the active lvs-pulse")) {
      assertThat(longFlight.get(what)[1])
          .as("%s: long transfers running across it that failed", what)
          .isZero();
    }
    long exposed = longFlight.values().stream().mapToLong(v -> v[0]).sum();
    numbers.put("long transfers running across a takeover (all four)", exposed);
    // Persistent clients' next transfer after a takeover goes to the same real server: with the
    // sync daemon because the new active binds the synced persistence templates (lvs-pulse
    // programs a fwmark direct-routing server as RIP:0, the destination the kernel's sync code
    // looks a synced template up by; with RIP:69 half of them moved, docs/failover-e2e.md); with
    // mh or sh because the source hash picks the same real server on both directors.
    if (SYNCD || SCHEDULER.equals("mh") || SCHEDULER.equals("sh")) {
      perTakeover.forEach(
          (what, moved) ->
              assertThat(moved)
                  .as(
                      "%s: sticky clients whose next transfer went to another real server"
                          + " (client old -> new)",
                      what)
                  .isEmpty());
    }
  }

  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  Takeover takeover(String what, Side from, Side to, Action action) throws Exception {
    String slug = what.replaceAll("[^a-z0-9]+", "-");
    for (Side s : List.of(from, to)) {
      Files.writeString(
          dir.resolve(slug + "-before-" + s.name + ".txt"),
          s.director.exec("ipvsadm", "-L", "-n", "-c").stdout()
              + s.director.exec("ipvsadm", "-S", "-n").stdout());
    }
    long[] before = to.connections();
    long event = System.currentTimeMillis();
    action.run();
    long moved = await(what + ": the VIP on " + to.name, Duration.ofSeconds(90), to::holdsVip);
    Pause.pace(Duration.ofSeconds(1), "a second of load through the new active director");
    long[] after = to.connections();
    Files.writeString(
        dir.resolve(slug + "-after-" + to.name + ".txt"),
        to.director.exec("ipvsadm", "-L", "-n", "-c").stdout());
    boolean oldHolds = from.holdsVip();
    numbers.put(what + ": the old active still holds the VIP 1 s after the move", oldHolds);
    if (!what.startsWith("kill -9")) {
      // after kill -9 only the process is gone: the VIP stays on the old director until its
      // lvs-pulse starts again and removes it (a crashed predecessor's VIPs)
      assertThat(oldHolds).as("%s: the old active gave the VIP up", what).isFalse();
    }
    return new Takeover(what, event, moved, before, after);
  }

  /** {@code back} has restarted (or recovered): it hears {@code active} and stays passive. */
  void awaitPassive(Side back, Side active) throws Exception {
    await(
        back.name + " hears " + active.name,
        Duration.ofSeconds(90),
        () -> "running".equals(back.dir("partner_state")));
    Waits.holds(
        back.name + " stays passive (no failback)",
        Duration.ofSeconds(2),
        Duration.ofMillis(100),
        () -> {
          assertThat(back.holdsVip()).as(back.name + " stays passive (no failback)").isFalse();
          assertThat(active.holdsVip()).isTrue();
        });
    assertThat(back.dir("active")).isEqualTo(false);
  }

  List<Transfer> awaitLoad(Path csv) throws Exception {
    Process p = load;
    assertThat(p).isNotNull();
    awaitLoadGenerator(p, "load generator");
    return TftpLoad.read(csv);
  }
}
