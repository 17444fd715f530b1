package io.lvspulse.e2e;

import static io.lvspulse.testing.TftpE2e.awaitLoadGenerator;
import static io.lvspulse.testing.TftpE2e.between;
import static io.lvspulse.testing.TftpE2e.cleanFrom;
import static io.lvspulse.testing.TftpE2e.deleteTree;
import static io.lvspulse.testing.TftpE2e.destroy;
import static io.lvspulse.testing.TftpE2e.failed;
import static io.lvspulse.testing.TftpE2e.javaCp;
import static io.lvspulse.testing.TftpE2e.s;
import static io.lvspulse.testing.TftpE2e.sleepUntil;
import static io.lvspulse.testing.TftpE2e.summary;
import static io.lvspulse.testing.TftpE2e.tftpdHpa;
import static io.lvspulse.testing.TftpE2e.whoTxtRoot;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecResult;
import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.Lab;
import io.lvspulse.testing.Peers;
import io.lvspulse.testing.TftpE2e;
import io.lvspulse.testing.TftpLoad;
import io.lvspulse.testing.TftpLoad.Transfer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link TftpThroughIpvsIT}'s scenarios on a dual-stack cluster, both families at once: one real
 * {@code lvs-pulse run --ipvs ipvsadm} programs the fwmark-1 service twice in a real IPVS kernel
 * (the lab's), {@code -f 1} for the IPv4 VIP and {@code -f 1 -6} for the IPv6 VIP (IPVS keys a
 * fwmark service by mark and family), and the same tftpd-hpa processes serve both families by
 * direct routing while each family carries the IPv4 test's load.
 *
 * <pre>
 *   LAN 10.0.0.0/24 and fd00:10::/64 (the lab's bridge)
 *   director ds      10.0.0.1, fd00:10::1; VIPs 203.0.113.10 and 2001:db8:10::10 on eth0 (nodad);
 *                    the nft rules of `lvs-pulse firewall-rules --format nft` (tables ip and ip6)
 *   host dsrs1..3    10.0.0.2..4, fd00:10::2..4; one tftpd-hpa on both families (-a :69); both VIPs
 *                    on lo (the IPv6 one nodad), arp_ignore=1, arp_announce=2 (IPv6 needs nothing:
 *                    Linux answers a neighbour solicitation only for the interface's own addresses)
 *   host dscli       clients 10.0.0.50-57 / fd00:10::50-57 (sticky) and 10.0.0.100-249 /
 *                    fd00:10::100-249 (fresh); routes to both VIPs via the director
 *   host dsctl       10.0.0.10, fd00:10::10: lvs-pulse run (probes the servers over both families)
 * </pre>
 *
 * One director and one daemon for the whole class, scenarios in order (about 3 minutes in all): (1)
 * rs1 killed under load, a client port reused, rs1 back; (2) rs1 frozen; (3) kill -9 and SIGTERM of
 * the daemon with immediate restarts; (4) a reload that adds rs3 and removes rs2. The numbers of
 * each scenario, per family, go to {@code target/e2e-dual/NAME.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DualStackTftpThroughIpvsIT {
  static final String VIP4 = "203.0.113.10";
  static final String VIP6 = "2001:db8:10::10";
  static final Map<String, String> RIP6 =
      new LinkedHashMap<>(Map.of("rs1", "fd00:10::2", "rs2", "fd00:10::3", "rs3", "fd00:10::4"));
  static final List<String> STICKY6 =
      IntStream.rangeClosed(50, 57).mapToObj(i -> "fd00:10::" + i).toList();
  static final List<String> FRESH6 =
      IntStream.rangeClosed(100, 249).mapToObj(i -> "fd00:10::" + i).toList();
  static final int TIMEOUT_S = TftpThroughIpvsIT.TIMEOUT_S;

  /** One family's side of the test: its VIP, addresses and load. */
  enum Family {
    V4(VIP4, TftpThroughIpvsIT.STICKY, TftpThroughIpvsIT.FRESH),
    V6(VIP6, STICKY6, FRESH6);

    final String vip;
    final List<String> sticky;
    final List<String> fresh;

    Family(String vip, List<String> sticky, List<String> fresh) {
      this.vip = vip;
      this.sticky = sticky;
      this.fresh = fresh;
    }

    String rip(String server) {
      return this == V4 ? TftpThroughIpvsIT.RIP.get(server) : RIP6.get(server);
    }

    /** The destination line as {@code ipvsadm -S -n} prints it. */
    String dest(String server, int weight) {
      return this == V4
          ? "-a -f 1 -r " + rip(server) + ":0 -g -w " + weight
          : "-a -f 1 -6 -r [" + rip(server) + "]:0 -g -w " + weight;
    }

    @Override
    public String toString() {
      return this == V4 ? "IPv4" : "IPv6";
    }
  }

  Lab lab;
  Path jar;
  Path tftpd;
  Path out;
  final Map<String, Lab.Host> rs = new LinkedHashMap<>();
  Lab.Host cli;
  Lab.Host ctl;
  Lab.Director director;
  Path config;
  final Map<String, Process> tftpds = new LinkedHashMap<>();
  Process daemon;
  final Map<Family, Process> loads = new LinkedHashMap<>();
  int daemonStarts;
  Path dir;
  final Map<String, Object> numbers = new LinkedHashMap<>();

  @BeforeAll
  void theDualStackLan() throws Exception {
    lab = Lab.get();
    jar = Peers.jar();
    tftpd = Peers.inTftpd();
    out = Path.of("target", "e2e-dual").toAbsolutePath();
    deleteTree(out);
    Files.createDirectories(out);
    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String name : List.of("rs1", "rs2", "rs3")) {
      Lab.Host h = lab.host("ds" + name, Family.V4.rip(name) + "/24", Family.V6.rip(name) + "/64");
      TftpE2e.noArpForTheVip(h);
      h.must("ip", "addr", "add", VIP4 + "/32", "dev", "lo");
      h.must("ip", "-6", "addr", "add", VIP6 + "/128", "dev", "lo", "nodad");
      rs.put(name, h);
    }
    List<String> cidrs = new ArrayList<>();
    for (Family f : Family.values()) {
      String len = f == Family.V4 ? "/24" : "/64";
      f.sticky.forEach(a -> cidrs.add(a + len));
      f.fresh.forEach(a -> cidrs.add(a + len));
    }
    cli = lab.host("dscli", cidrs.toArray(String[]::new));
    cli.must("ip", "route", "add", VIP4 + "/32", "via", "10.0.0.1");
    cli.must("ip", "-6", "route", "add", VIP6 + "/128", "via", "fd00:10::1");
    ctl = lab.host("dsctl", "10.0.0.10/24", "fd00:10::10/64");

    config = out.resolve("lvs.cf");
    Files.writeString(config, config(List.of("rs1", "rs2"), 1));
    director = lab.director("ds", "10.0.0.1/24", "fd00:10::1/64");
    director.must("ip", "addr", "add", VIP4 + "/32", "dev", "eth0");
    director.must("ip", "-6", "addr", "add", VIP6 + "/128", "dev", "eth0", "nodad");
    DaemonProcess.Exit rules =
        DaemonProcess.runToExit(
            Duration.ofSeconds(60),
            List.of("firewall-rules", config.toString(), "--format", "nft"));
    assertThat(rules.code()).as(rules.output()).isZero();
    String script =
        rules
            .output()
            .lines()
            .filter(l -> !l.startsWith("/") && !l.contains(": warning:"))
            .collect(Collectors.joining("\n", "", "\n"));
    assertThat(script).contains("table ip6 lvs_pulse", "ip6 daddr " + VIP6);
    ExecResult nft = director.exec(script.getBytes(StandardCharsets.UTF_8), "nft", "-f", "-");
    assertThat(nft.succeeded()).as("nft -f in the director: %s", nft.describe()).isTrue();
    for (String r : List.of("rs1", "rs2", "rs3")) {
      startTftpd(r);
    }
    dir = out.resolve("start");
    Files.createDirectories(dir);
    startDaemon();
    awaitTable(
        "rs1 and rs2 at weight 1 in both families",
        Duration.ofSeconds(60),
        t -> allIn(t, "rs1", 1) && allIn(t, "rs2", 1));
  }

  @AfterAll
  void tearDownTheLan() throws Exception {
    for (Process p : loads.values()) {
      destroy(p);
    }
    destroy(daemon);
    for (Process p : tftpds.values()) {
      DaemonProcess.signal("CONT", p.pid());
      destroy(p);
    }
    if (director != null) {
      director.close();
    }
    for (Lab.Host h : rs.values()) {
      h.close();
    }
    if (cli != null) {
      cli.close();
    }
    if (ctl != null) {
      ctl.close();
    }
  }

  @BeforeEach
  void aFolder(TestInfo info) throws IOException {
    dir = out.resolve(info.getTestMethod().orElseThrow().getName());
    Files.createDirectories(dir);
    numbers.clear();
  }

  @AfterEach
  void theNumbers() throws Exception {
    for (Process p : loads.values()) {
      destroy(p);
    }
    loads.clear();
    StringBuilder b = new StringBuilder();
    numbers.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(dir.resolveSibling(dir.getFileName() + ".txt"), b.toString());
  }

  // ---------------------------------------------------------------------------------------------

  /** etc/lvs.cf's virtual service for the IPv4 VIP (as the IPv4 test) and its IPv6 twin. */
  static String config(List<String> servers, int serial) throws IOException {
    String v4 = TftpThroughIpvsIT.config(servers, serial);
    int start = v4.indexOf("virtual tftp {");
    String block = v4.substring(start, v4.indexOf("    server ", start));
    String v6 =
        block
            .replace("virtual tftp {", "virtual tftp6 {")
            .replaceFirst("(?m)^    address = .*$", "    address = " + VIP6 + " eth0")
            .replaceFirst("(?m)^    vip_nmask = .*\\n", "");
    assertThat(v6).contains("address = " + VIP6 + " eth0", "fwmark = 1");
    StringBuilder b = new StringBuilder(v4).append('\n').append(v6);
    for (String s : servers) {
      b.append("    server ")
          .append(s)
          .append("6 {\n        address = ")
          .append(RIP6.get(s))
          .append("\n        active = 1\n        weight = 1\n    }\n\n");
    }
    return b.append("}\n").toString();
  }

  void startTftpd(String name) throws Exception {
    Path root = whoTxtRoot(out, name);
    // -a :69 serves both families from one process (an IPv4 and an IPv6 socket), so killing it
    // kills the server for both.
    Process p =
        rs.get(name).start(out.resolve("tftpd-" + name + ".log"), tftpdHpa(tftpd, ":69", root));
    tftpds.put(name, p);
    rs.get(name).must(javaCp("ping", "127.0.0.1", "10000").toArray(String[]::new));
    rs.get(name).must(javaCp("ping", "::1", "10000").toArray(String[]::new));
  }

  void startDaemon() throws IOException {
    daemonStarts++;
    List<String> cmd = new ArrayList<>(DaemonProcess.javaCommand());
    cmd.addAll(List.of("run", "--config", config.toString(), "--no-failover", "--listen"));
    cmd.add("127.0.0.1:9539");
    cmd.addAll(List.of("--ipvs", "ipvsadm", "--ipvsadm", director.ipvsadm().toString()));
    cmd.add("--command-prefix");
    cmd.add(String.join(",", director.prefix()));
    daemon = ctl.start(out.resolve("daemon-" + daemonStarts + ".log"), cmd);
  }

  List<String> table() {
    return TftpE2e.table(director);
  }

  static boolean allIn(List<String> t, String server, int weight) {
    return t.contains(Family.V4.dest(server, weight)) && t.contains(Family.V6.dest(server, weight));
  }

  long awaitTable(String what, Duration timeout, Predicate<List<String>> p) throws Exception {
    return TftpE2e.awaitTable(what, timeout, p, this::table, () -> daemon, this::logs);
  }

  /** Polls until each family's {@code p} holds; the epoch millis each first held. */
  Map<Family, Long> awaitEach(String what, Duration timeout, PerFamily p) throws Exception {
    Map<Family, Long> at = new LinkedHashMap<>();
    awaitTable(
        what,
        timeout,
        t -> {
          long now = System.currentTimeMillis();
          for (Family f : Family.values()) {
            if (!at.containsKey(f) && p.test(f, t)) {
              at.put(f, now);
            }
          }
          return at.size() == Family.values().length;
        });
    return at;
  }

  @FunctionalInterface
  interface PerFamily {
    boolean test(Family f, List<String> table);
  }

  String logs() throws IOException {
    return TftpE2e.daemonLogs(out, daemonStarts);
  }

  Map<Family, Path> startLoads(Duration d) throws IOException {
    Map<Family, Path> csv = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      Path c = dir.resolve("transfers-" + f + ".csv");
      csv.put(f, c);
      loads.put(
          f,
          cli.start(
              dir.resolve("load-" + f + ".log"),
              javaCp(
                  "run",
                  f.vip,
                  "who.txt",
                  c.toString(),
                  Long.toString(d.toMillis()),
                  Double.toString(TftpThroughIpvsIT.STICKY_PER_S),
                  Double.toString(TftpThroughIpvsIT.FRESH_PER_S),
                  TftpThroughIpvsIT.PACKET_TIMEOUT_MS + "x" + TftpThroughIpvsIT.RETRANSMITS,
                  String.join(",", f.sticky),
                  String.join(",", f.fresh))));
    }
    return csv;
  }

  Map<Family, List<Transfer>> awaitLoads(Map<Family, Path> csv) throws Exception {
    Map<Family, List<Transfer>> all = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      Process p = loads.get(f);
      awaitLoadGenerator(p, f + " load generator");
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("load-" + f + ".log"))).isZero();
      all.put(f, TftpLoad.read(csv.get(f)));
    }
    return all;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Scenario 1 and 2 of the IPv4 test in both families: rs1's tftpd is killed under load (one
   * process, so both families lose it at once), lvs-pulse quiesces rs1 in both services; a port rs1
   * served, reused after udp_timeout, reaches rs2; rs1 comes back.
   */
  @Test
  @Order(1)
  void scenario1_a_killed_server_costs_only_its_detection_window_in_both_families()
      throws Exception {
    Map<Family, Path> csv = startLoads(Duration.ofSeconds(34));
    long t0 = System.currentTimeMillis();
    sleepUntil(t0 + 4_000);
    long kill = System.currentTimeMillis();
    tftpds.get("rs1").destroyForcibly();
    Map<Family, Long> quiesced =
        awaitEach(
            "rs1 at weight 0 in both families",
            Duration.ofSeconds(20),
            (f, t) -> t.contains(f.dest("rs1", 0)));
    Map<Family, List<Transfer>> reuse = new LinkedHashMap<>();
    Map<Family, Transfer> reused = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      reused.put(
          f,
          TftpLoad.read(csv.get(f)).stream()
              .filter(t -> t.ok() && t.server().equals("rs1") && t.startMs() < kill)
              .reduce((a, b) -> b)
              .orElseThrow(() -> new AssertionError(f + ": rs1 served nothing before the kill")));
    }
    long latestEnd =
        reused.values().stream().mapToLong(Transfer::endMs).max().orElseThrow()
            + (TftpThroughIpvsIT.UDP_TIMEOUT_S + 2) * 1000L;
    sleepUntil(
        Math.max(
            latestEnd, quiesced.values().stream().mapToLong(x -> x).max().orElseThrow() + 1000));
    for (Family f : Family.values()) {
      Transfer r = reused.get(f);
      Path once = dir.resolve("reused-port-" + f + ".csv");
      cli.must(
          javaCp(
                  "once",
                  f.vip,
                  "who.txt",
                  once.toString(),
                  r.client() + ":" + r.clientPort(),
                  "1000")
              .toArray(String[]::new));
      reuse.put(f, TftpLoad.read(once));
    }
    // rs1 stays dead 14 s: the reused port's entry expires (udp_timeout + 2 s after its transfer,
    // which ended before the kill); then 16 s of load for its return (asserted within 12 s)
    sleepUntil(kill + 14_000);
    long back = System.currentTimeMillis();
    startTftpd("rs1");
    Map<Family, Long> weightBack =
        awaitEach(
            "rs1 back at weight 1 in both families",
            Duration.ofSeconds(20),
            (f, t) -> t.contains(f.dest("rs1", 1)));
    Map<Family, List<Transfer>> all = awaitLoads(csv);

    List<Runnable> checks = new ArrayList<>();
    for (Family f : Family.values()) {
      List<Transfer> a = all.get(f);
      long end = a.get(a.size() - 1).startMs() + 1;
      long q = quiesced.get(f);
      List<Transfer> before = between(a, t0, kill);
      List<Transfer> killed = between(a, kill, back);
      List<Transfer> returned = between(a, back, end);
      OptionalLong clean = cleanFrom(a, kill, back, "rs1");
      Optional<Transfer> firstOnRs1 =
          returned.stream().filter(t -> t.ok() && t.server().equals("rs1")).findFirst();
      String p = f + ": ";
      numbers.put(p + "before the kill", summary(before));
      numbers.put(p + "rs1 killed (14 s)", summary(killed));
      numbers.put(p + "failed transfers after the kill", failed(killed) + "/" + killed.size());
      numbers.put(p + "detection (kill -> rs1 at weight 0 in the kernel)", s(q - kill));
      numbers.put(
          p + "every new transfer ok on rs2 from (after the kill)",
          clean.isPresent() ? s(clean.getAsLong()) : "never");
      numbers.put(
          p + "failed after detection + 1 s",
          failed(between(a, q + 1000, back)) + "/" + between(a, q + 1000, back).size());
      numbers.put(
          p + "reused client port " + reused.get(f).client() + ":" + reused.get(f).clientPort(),
          reuse.get(f));
      numbers.put(p + "rs1 restarted: back at weight 1 after", s(weightBack.get(f) - back));
      numbers.put(
          p + "rs1 restarted: first transfer served by rs1 after",
          firstOnRs1.map(t -> s(t.startMs() - back)).orElse("never"));
      numbers.put(p + "after rs1 is back", summary(returned));
      checks.add(
          () -> {
            assertThat(failed(before)).as(p + "before the kill: %s", summary(before)).isZero();
            assertThat(q - kill).as(p + "detection").isLessThan(2 * TIMEOUT_S * 1000L + 2000);
            assertThat(failed(between(a, q + 1000, back)))
                .as(
                    p + "failed transfers started > 1 s after rs1 was quiesced: %s",
                    summary(killed))
                .isZero();
            assertThat(clean).as(p + "every new transfer avoids rs1 after detection").isPresent();
            assertThat(clean.getAsLong()).isLessThan(q - kill + 1000);
            assertThat(reuse.get(f))
                .as(p + "a client port rs1 served, reused after udp_timeout")
                .singleElement()
                .satisfies(t -> assertThat(t.ok()).isTrue())
                .satisfies(t -> assertThat(t.server()).isEqualTo("rs2"));
            assertThat(firstOnRs1)
                .as(p + "rs1 takes traffic again: %s", summary(returned))
                .isPresent();
            assertThat(firstOnRs1.get().startMs() - back).isLessThan(4 * TIMEOUT_S * 1000L + 4000);
            assertThat(failed(returned))
                .as(p + "after rs1 is back: %s", summary(returned))
                .isZero();
          });
    }
    checks.forEach(Runnable::run);
  }

  /** Scenario 1 with a frozen server (SIGSTOP), both families; then rs1 is thawed and returns. */
  @Test
  @Order(2)
  void scenario1_a_frozen_server_costs_only_its_detection_window_in_both_families()
      throws Exception {
    Map<Family, Path> csv = startLoads(Duration.ofSeconds(18));
    long t0 = System.currentTimeMillis();
    sleepUntil(t0 + 4_000);
    long freeze = System.currentTimeMillis();
    DaemonProcess.signal("STOP", tftpds.get("rs1").pid());
    Map<Family, Long> quiesced =
        awaitEach(
            "rs1 at weight 0 in both families",
            Duration.ofSeconds(20),
            (f, t) -> t.contains(f.dest("rs1", 0)));
    Map<Family, List<Transfer>> all = awaitLoads(csv);
    DaemonProcess.signal("CONT", tftpds.get("rs1").pid());
    List<Runnable> checks = new ArrayList<>();
    for (Family f : Family.values()) {
      List<Transfer> a = all.get(f);
      long end = a.get(a.size() - 1).startMs() + 1;
      long q = quiesced.get(f);
      List<Transfer> frozen = between(a, freeze, end);
      OptionalLong clean = cleanFrom(a, freeze, end, "rs1");
      String p = f + ": ";
      numbers.put(p + "before the freeze", summary(between(a, t0, freeze)));
      numbers.put(p + "rs1 frozen", summary(frozen));
      numbers.put(p + "failed transfers after the freeze", failed(frozen) + "/" + frozen.size());
      numbers.put(p + "detection (SIGSTOP -> rs1 at weight 0 in the kernel)", s(q - freeze));
      numbers.put(
          p + "every new transfer ok on rs2 from (after the freeze)",
          clean.isPresent() ? s(clean.getAsLong()) : "never");
      checks.add(
          () -> {
            assertThat(failed(between(a, t0, freeze))).as(p + "before the freeze").isZero();
            assertThat(q - freeze).as(p + "detection").isLessThan(2 * TIMEOUT_S * 1000L + 3000);
            assertThat(failed(between(a, q + 1000, end)))
                .as(p + "failed after quiesce + 1 s: %s", summary(frozen))
                .isZero();
            assertThat(clean).as(p + "every new transfer avoids rs1").isPresent();
          });
    }
    checks.forEach(Runnable::run);
    awaitTable(
        "rs1 thawed, back at weight 1 in both families",
        Duration.ofSeconds(30),
        t -> allIn(t, "rs1", 1) && allIn(t, "rs2", 1));
  }

  /**
   * Scenario 4 of the IPv4 test in both families: kill -9 of the daemon and an immediate start,
   * then SIGTERM and a start: no transfer fails, the kernel's table (both services) never changes.
   */
  @Test
  @Order(3)
  void scenario4_restarting_the_daemon_changes_nothing_in_either_family() throws Exception {
    List<String> steady = table();
    assertThat(steady).contains("-A -f 1 -6 -s wlc -p 45");
    List<List<String>> seen = new CopyOnWriteArrayList<>();
    Thread watcher = TftpE2e.tableWatcher(director, seen, "e2e-dual-table-watcher");
    Map<Family, Path> csv = startLoads(Duration.ofSeconds(30));
    long t0 = System.currentTimeMillis();
    watcher.start();
    try {
      sleepUntil(t0 + 5_000);
      long kill9 = System.currentTimeMillis();
      daemon.destroyForcibly();
      daemon.waitFor(10, TimeUnit.SECONDS);
      startDaemon();
      sleepUntil(t0 + 16_000);
      long term = System.currentTimeMillis();
      daemon.destroy();
      assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
      startDaemon();
      Map<Family, List<Transfer>> all = awaitLoads(csv);
      numbers.put("kill -9 at", s(kill9 - t0) + ", SIGTERM at " + s(term - t0));
      numbers.put("table reads during the run", seen.size());
      numbers.put(
          "tables that differ from the steady one",
          seen.stream().filter(t -> !t.equals(steady)).distinct().toList());
      for (Family f : Family.values()) {
        numbers.put(f + ": transfers", summary(all.get(f)));
        numbers.put(f + ": failed transfers", failed(all.get(f)) + "/" + all.get(f).size());
      }
      for (Family f : Family.values()) {
        assertThat(failed(all.get(f)))
            .as(f + ": failed transfers: %s", summary(all.get(f)))
            .isZero();
      }
      assertThat(seen).as("the kernel's table was read during the restarts").hasSizeGreaterThan(10);
      assertThat(seen).as("no destination left, no weight dropped").allMatch(t -> t.equals(steady));
      assertThat(logs()).doesNotContainPattern("applying .*-d -f 1");
    } finally {
      watcher.interrupt();
      watcher.join(10_000);
    }
  }

  /** Scenario 3 of the IPv4 test in both families: a reload adds rs3 and removes rs2. */
  @Test
  @Order(4)
  void scenario3_a_reload_that_adds_and_removes_a_server_fails_no_transfer_in_either_family()
      throws Exception {
    Map<Family, Path> csv = startLoads(Duration.ofSeconds(20));
    long t0 = System.currentTimeMillis();
    sleepUntil(t0 + 4_000);
    Files.writeString(config, config(List.of("rs1", "rs3"), 2));
    long reload = System.currentTimeMillis();
    DaemonProcess.signal("HUP", daemon.pid());
    Map<Family, Long> rs3In =
        awaitEach(
            "rs3 in, rs2 draining, in both families",
            Duration.ofSeconds(20),
            (f, t) -> t.contains(f.dest("rs3", 1)) && t.contains(f.dest("rs2", 0)));
    Map<Family, List<Transfer>> all = awaitLoads(csv);
    List<String> table = table();
    for (Family f : Family.values()) {
      List<Transfer> a = all.get(f);
      long end = a.get(a.size() - 1).startMs() + 1;
      List<Transfer> after = between(a, reload, end);
      Optional<Transfer> firstOnRs3 =
          after.stream().filter(t -> t.ok() && t.server().equals("rs3")).findFirst();
      OptionalLong offRs2 = cleanFrom(a, reload, end, "rs2");
      String p = f + ": ";
      numbers.put(p + "before the reload", summary(between(a, t0, reload)));
      numbers.put(p + "after the reload", summary(after));
      numbers.put(p + "failed transfers", failed(a) + "/" + a.size());
      numbers.put(p + "reload -> rs3 in the kernel, rs2 at weight 0", s(rs3In.get(f) - reload));
      numbers.put(
          p + "first transfer on rs3 after",
          firstOnRs3.map(t -> s(t.startMs() - reload)).orElse("never"));
      numbers.put(
          p + "no new transfer on rs2 from", offRs2.isPresent() ? s(offRs2.getAsLong()) : "never");
    }
    for (Family f : Family.values()) {
      List<Transfer> a = all.get(f);
      // The one window docs/end-to-end.md leaves open: a transfer rs2 had started (its DATA 1
      // arrived) whose next ACK met the kernel's switch to rs2 at weight 0 (its persistence
      // template expires at that use, so the ACK is scheduled anew). Anything else fails the test.
      long switched = rs3In.get(f);
      List<Transfer> window =
          a.stream()
              .filter(t -> !t.ok())
              .filter(t -> t.server().equals("rs2") && t.cause().startsWith("timeout after DATA"))
              .filter(t -> t.startMs() >= reload - 1000 && t.startMs() <= switched + 1000)
              .toList();
      numbers.put(
          f + ": failed in the drain window (DATA from rs2 as it went to 0)", window.size());
      assertThat(window.size()).as(f + ": failures in the drain window").isLessThanOrEqualTo(2);
      assertThat(failed(a) - window.size())
          .as(f + ": failed transfers outside the drain window: %s", summary(a))
          .isZero();
      assertThat(a).as(f + ": rs3 takes traffic").anyMatch(t -> t.ok() && t.server().equals("rs3"));
      assertThat(table).contains(f.dest("rs1", 1), f.dest("rs3", 1), f.dest("rs2", 0));
    }
  }
}
