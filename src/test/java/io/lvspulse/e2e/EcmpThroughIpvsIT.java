package io.lvspulse.e2e;

import static io.lvspulse.testing.TftpE2e.awaitLoadGenerator;
import static io.lvspulse.testing.TftpE2e.between;
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
import io.lvspulse.testing.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ECMP mode on real packets: three real IPVS directors (the {@link Lab}'s), each programmed by its
 * own {@code lvs-pulse run} in ECMP mode ({@code -s mh -b mh-fallback}, VIP on lo, the fwmark rules
 * installed by lvs-pulse), behind a router that spreads the VIP over them with a multipath route
 * hashing on ports ({@code fib_multipath_hash_policy = 1}), so a TFTP transfer's RRQ and ACKs often
 * reach different directors. Three tftpd-hpa real servers answer by direct routing.
 *
 * <pre>
 *   LAN 10.0.0.0/24 (the lab's bridge), clients on 10.0.2.0/24 behind the router (same wire)
 *   router   ecrt   10.0.0.254, 10.0.2.1: VIP/32 nexthop via 10.0.0.21, .22, .23 (hash on ports)
 *   director ecd1-3 10.0.0.21-23, IPVS; lvs-pulse puts the VIP on lo and the nft mark rules in
 *   host     ecrs1-3 10.0.0.31-33, tftpd-hpa, the VIP on lo, arp_ignore=1; default via the router
 *   host     eccli  10.0.2.50-57 (sticky clients), 10.0.2.100-249 (fresh); VIP via the router
 *   host     ecctl  10.0.0.11: the three lvs-pulse processes (--ipvsadm / --command-prefix of each)
 * </pre>
 *
 * Measured under load (10 sticky + 2 fresh GETs/s, three DATA blocks each): failed transfers in
 * steady state, while one director is taken out of the router's route (what a BGP withdrawal does)
 * and put back, while a real server dies, and while one director's lvs-pulse is killed and
 * restarted; and the directors' tables ({@code ipvsadm -S -n}, and the kernel's order of real
 * servers from {@code ipvsadm -L -n --nosort}) are identical after each event and after a reload
 * adds a server. Then the same router and directors with Piranha's usual {@code wlc -p 45} (pair
 * mode's programming, each director alone): the comparison. Every transfer is in {@code
 * target/e2e/ecmp/PHASE.csv}, the numbers in {@code target/e2e/ecmp.txt}.
 */
class EcmpThroughIpvsIT {
  static final String VIP = "203.0.113.10";
  static final List<String> DIRECTORS = List.of("ecd1", "ecd2", "ecd3");
  static final Map<String, String> DIRECTOR_IP =
      Map.of("ecd1", "10.0.0.21", "ecd2", "10.0.0.22", "ecd3", "10.0.0.23");
  static final Map<String, String> RIP =
      new LinkedHashMap<>(Map.of("rs1", "10.0.0.31", "rs2", "10.0.0.32", "rs3", "10.0.0.33"));
  static final List<String> STICKY =
      IntStream.rangeClosed(50, 57).mapToObj(i -> "10.0.2." + i).toList();
  static final List<String> FRESH =
      IntStream.rangeClosed(100, 249).mapToObj(i -> "10.0.2." + i).toList();
  static final int TIMEOUT_S = 2;

  /**
   * The wlc comparison's withdrawal phase asserts nothing (it measures what pair-mode programming
   * loses, for docs/ecmp.md): it runs with {@code -De2e.ecmp.wlc-withdrawal=true} only.
   */
  static final boolean WLC_WITHDRAWAL = Boolean.getBoolean("e2e.ecmp.wlc-withdrawal");

  private @Nullable Lab lab;
  private final Map<String, Lab.Director> directors = new LinkedHashMap<>();
  private final Map<String, Lab.Host> servers = new LinkedHashMap<>();
  private @Nullable Lab.Host router;
  private @Nullable Lab.Host cli;
  private @Nullable Lab.Host ctl;
  private final Map<String, Process> tftpds = new HashMap<>();
  private final Map<String, Process> daemons = new HashMap<>();
  private final Map<String, Integer> starts = new HashMap<>();
  private @Nullable Process load;
  private Path dir = Path.of("target", "e2e", "ecmp").toAbsolutePath();
  private Path tftpd = Path.of("/");
  private final Map<String, Object> numbers = new LinkedHashMap<>();

  @AfterEach
  void stopEverything() throws Exception {
    destroy(load);
    for (Process p : daemons.values()) {
      destroy(p);
    }
    for (Process p : tftpds.values()) {
      destroy(p);
    }
    for (Lab.Director d : directors.values()) {
      d.close();
    }
    for (Lab.Host h : servers.values()) {
      h.close();
    }
    for (Lab.Host h : java.util.Arrays.asList(router, cli, ctl)) {
      if (h != null) {
        h.close();
      }
    }
    StringBuilder b = new StringBuilder();
    numbers.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
    Files.createDirectories(dir);
    Files.writeString(dir.resolveSibling("ecmp.txt"), b.toString());
    System.out.print(b);
  }

  @Test
  void
      three_ecmp_directors_send_every_packet_of_a_transfer_to_one_real_server_and_pair_style_wlc_does_not()
          throws Exception {
    Lab l = Lab.get();
    lab = l;
    Peers.jar();
    tftpd = Peers.inTftpd();
    TftpE2e.deleteTree(dir);
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    buildTheNetwork(l);
    for (String r : List.of("rs1", "rs2", "rs3")) {
      startTftpd(r);
    }

    // ---- ECMP mode: three lvs-pulse, mh, every director in the route.
    for (String d : DIRECTORS) {
      Files.writeString(config(d), ecmpConfig(d, List.of("rs1", "rs2")));
      startDaemon(d, List.of());
    }
    awaitTables(
        "every director: mh, rs1 and rs2 at weight 1",
        Duration.ofSeconds(90),
        t ->
            t.contains("-A -f 1 -s mh -b mh-fallback")
                && t.contains(dest("rs1", 1))
                && t.contains(dest("rs2", 1)));
    assertIdenticalTables("ECMP start");

    // 1. Steady state.
    List<Transfer> steady = run("ecmp-steady", Duration.ofSeconds(10), at -> {});
    Map<String, Set<String>> serversByClient = serversByClient();
    long spread = directorsByClient().values().stream().filter(s -> s.size() > 1).count();
    numbers.put("ECMP steady state (10 s)", summary(steady));
    numbers.put("ECMP steady: failed", failed(steady) + "/" + steady.size());
    numbers.put(
        "ECMP steady: client addresses whose flows reached 2+ directors",
        spread + "/" + directorsByClient().size());
    numbers.put(
        "ECMP steady: client addresses that two directors sent to different real servers",
        serversByClient.values().stream().filter(s -> s.size() > 1).count());
    assertThat(failed(steady)).as("ECMP steady: %s", summary(steady)).isZero();
    assertThat(spread)
        .as("the router spreads one client's flows over several directors")
        .isPositive();
    assertThat(serversByClient.values())
        .as("every director sends a client to the same real server")
        .allMatch(s -> s.size() == 1);

    // 2. A director withdrawn from the router's route, and put back.
    List<Transfer> withdrawal =
        run(
            "ecmp-withdrawal",
            Duration.ofSeconds(14),
            at -> {
              sleepUntil(at + 4_000);
              route(List.of("ecd2", "ecd3"));
              sleepUntil(at + 9_000);
              route(DIRECTORS);
            });
    numbers.put("ECMP director withdrawn at 4 s, back at 9 s", summary(withdrawal));
    numbers.put("ECMP withdrawal: failed", failed(withdrawal) + "/" + withdrawal.size());
    assertThat(failed(withdrawal)).as("ECMP withdrawal: %s", summary(withdrawal)).isZero();

    // 3. A real server dies: every director quiesces it; only the detection window costs.
    long[] killAt = new long[1];
    long[] quiescedAt = new long[1];
    List<Transfer> death =
        run(
            "ecmp-server-death",
            Duration.ofSeconds(15),
            at -> {
              sleepUntil(at + 4_000);
              killAt[0] = System.currentTimeMillis();
              tftpds.get("rs1").destroyForcibly();
              quiescedAt[0] =
                  awaitTables(
                      "rs1 at weight 0 on every director",
                      Duration.ofSeconds(20),
                      t -> t.contains(dest("rs1", 0)));
            });
    List<Transfer> afterDetection = between(death, quiescedAt[0] + 1000, Long.MAX_VALUE);
    numbers.put("ECMP rs1 killed at 4 s", summary(death));
    numbers.put("ECMP server death: detection (all three directors)", s(quiescedAt[0] - killAt[0]));
    numbers.put("ECMP server death: failed", failed(death) + "/" + death.size());
    numbers.put(
        "ECMP server death: failed after detection + 1 s",
        failed(afterDetection) + "/" + afterDetection.size());
    // Before the kill, but not in its last packet timeout (1 s): a transfer whose RRQ was on its
    // way to rs1 when it died is the kill's, not steady state's (seen once: started 0.2 s before).
    assertThat(failed(between(death, 0, killAt[0] - 1000)))
        .as("before the kill: %s", summary(between(death, 0, killAt[0] - 1000)))
        .isZero();
    assertThat(failed(afterDetection)).as("after detection: %s", summary(afterDetection)).isZero();
    assertIdenticalTables("rs1 dead");
    startTftpd("rs1");
    awaitTables("rs1 back", Duration.ofSeconds(30), t -> t.contains(dest("rs1", 1)));

    // 4. One director's lvs-pulse killed and restarted under load.
    List<Transfer> restart =
        run(
            "ecmp-daemon-restart",
            Duration.ofSeconds(16),
            at -> {
              sleepUntil(at + 4_000);
              Process p = daemons.get("ecd2");
              p.destroyForcibly();
              p.waitFor(10, TimeUnit.SECONDS);
              startDaemon("ecd2", List.of());
            });
    numbers.put("ECMP lvs-pulse of ecd2 kill -9 + restart at 4 s", summary(restart));
    numbers.put("ECMP daemon restart: failed", failed(restart) + "/" + restart.size());
    assertThat(failed(restart)).as("ECMP daemon restart: %s", summary(restart)).isZero();
    assertIdenticalTables("after a daemon restart");

    // 5. A reload adds rs3 on every director: the same canonical order everywhere.
    for (String d : DIRECTORS) {
      Files.writeString(config(d), ecmpConfig(d, List.of("rs3", "rs2", "rs1")));
      DaemonProcess.signal("HUP", daemons.get(d).pid());
    }
    awaitTables("rs3 in at weight 1", Duration.ofSeconds(60), t -> t.contains(dest("rs3", 1)));
    List<String> order = assertIdenticalTables("after a reload that adds rs3");
    assertThat(order.stream().filter(x -> x.startsWith("->")).map(x -> x.split(" ")[1]))
        .as("the kernel's list, head first, in the canonical order")
        .containsExactly("10.0.0.31:0", "10.0.0.32:0", "10.0.0.33:0");
    List<Transfer> three = run("ecmp-three-servers", Duration.ofSeconds(8), at -> {});
    numbers.put("ECMP with rs3", summary(three));
    assertThat(failed(three)).isZero();

    // ---- The comparison: the same directors programmed wlc -p 45, each alone (pair-mode style).
    for (String d : DIRECTORS) {
      destroy(daemons.get(d)); // SIGTERM: IPVS, the VIP on lo and the mark rules stay
      Files.writeString(config(d), pairConfig(List.of("rs1", "rs2")));
      startDaemon(d, List.of("--no-failover"));
    }
    awaitTables(
        "every director: wlc -p 45, rs1 and rs2",
        Duration.ofSeconds(90),
        t ->
            t.contains("-A -f 1 -s wlc -p 45")
                && t.contains(dest("rs1", 1))
                && t.contains(dest("rs2", 1))
                && t.stream().noneMatch(x -> x.contains("10.0.0.33")));
    List<Transfer> wlc = run("wlc-steady", Duration.ofSeconds(10), at -> {});
    numbers.put("wlc -p 45 on 3 directors, steady state (10 s)", summary(wlc));
    numbers.put("wlc -p 45 steady: failed", failed(wlc) + "/" + wlc.size());
    numbers.put(
        "wlc -p 45 steady: client addresses that two directors sent to different real servers",
        serversByClient().values().stream().filter(s -> s.size() > 1).count());
    assertThat(failed(wlc))
        .as("with wlc each director decides alone: the ACKs of some transfers reach another server")
        .isPositive();
    if (WLC_WITHDRAWAL) {
      List<Transfer> wlcWithdrawal =
          run(
              "wlc-withdrawal",
              Duration.ofSeconds(14),
              at -> {
                sleepUntil(at + 4_000);
                route(List.of("ecd2", "ecd3"));
                sleepUntil(at + 9_000);
                route(DIRECTORS);
              });
      numbers.put("wlc -p 45, director withdrawn at 4 s, back at 9 s", summary(wlcWithdrawal));
      numbers.put(
          "wlc -p 45 withdrawal: failed", failed(wlcWithdrawal) + "/" + wlcWithdrawal.size());
    }
  }

  // ---- the network ----------------------------------------------------------------------------

  private void buildTheNetwork(Lab l) throws Exception {
    Lab.Host rt = l.host("ecrt", "10.0.0.254/24", "10.0.2.1/24");
    router = rt;
    rt.must(
        "sysctl",
        "-qw",
        "net.ipv4.ip_forward=1",
        "net.ipv4.fib_multipath_hash_policy=1",
        "net.ipv4.conf.all.send_redirects=0",
        "net.ipv4.conf.eth0.send_redirects=0",
        "net.ipv4.conf.all.rp_filter=0",
        "net.ipv4.conf.eth0.rp_filter=0");
    for (String d : DIRECTORS) {
      Lab.Director dd = l.director(d);
      directors.put(d, dd);
      dd.must("ip", "addr", "add", DIRECTOR_IP.get(d) + "/24", "dev", "eth0");
      dd.must("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.eth0.rp_filter=0");
    }
    route(DIRECTORS);
    for (var e : RIP.entrySet()) {
      Lab.Host h = l.host("ec" + e.getKey(), e.getValue() + "/24");
      TftpE2e.noArpForTheVip(h);
      h.must("ip", "addr", "add", VIP + "/32", "dev", "lo");
      h.must("ip", "route", "add", "default", "via", "10.0.0.254");
      servers.put(e.getKey(), h);
    }
    List<String> cidrs = new ArrayList<>();
    STICKY.forEach(a -> cidrs.add(a + "/24"));
    FRESH.forEach(a -> cidrs.add(a + "/24"));
    Lab.Host c = l.host("eccli", cidrs.toArray(String[]::new));
    cli = c;
    c.must("sysctl", "-qw", "net.ipv4.conf.all.accept_redirects=0");
    c.must("ip", "route", "add", VIP + "/32", "via", "10.0.2.1");
    ctl = l.host("ecctl", "10.0.0.11/24");
  }

  /** The router's route to the VIP: one next hop per director in {@code via}. */
  private void route(List<String> via) {
    List<String> cmd = new ArrayList<>(List.of("ip", "route", "replace", VIP + "/32"));
    for (String d : via) {
      cmd.addAll(List.of("nexthop", "via", DIRECTOR_IP.get(d), "dev", "eth0"));
    }
    java.util.Objects.requireNonNull(router).must(cmd.toArray(String[]::new));
  }

  private void startTftpd(String name) throws Exception {
    Path root = whoTxtRoot(dir, name);
    Lab.Host h = servers.get(name);
    tftpds.put(
        name, h.start(dir.resolve("tftpd-" + name + ".log"), tftpdHpa(tftpd, "0.0.0.0:69", root)));
    h.must(javaCp("ping", "127.0.0.1", "10000").toArray(String[]::new));
  }

  // ---- lvs-pulse ------------------------------------------------------------------------------

  private Path config(String d) {
    return dir.resolve("lvs-" + d + ".cf");
  }

  private String virtual(List<String> rs, String extra) {
    StringBuilder b =
        new StringBuilder(
            """
            virtual tftp {
                active = 1
                address = %s lo
                fwmark = 1
                port = 69
                protocol = udp
                send_program = "/usr/local/bin/check_tftp --connect %%h"
                expect = "OK - answer from server"
                timeout = %d
                reentry = %d
                quiesce_server = 1
            %s"""
                .formatted(VIP, TIMEOUT_S, 2 * TIMEOUT_S, extra));
    for (String s : rs) {
      b.append("    server ")
          .append(s)
          .append(" {\n        address = ")
          .append(RIP.get(s))
          .append("\n        active = 1\n        weight = 1\n    }\n");
    }
    return b.append("}\n").toString();
  }

  private String ecmpConfig(String d, List<String> rs) {
    return """
        serial_no = 1
        director_mode = ecmp
        announce_interval = 500ms
        bird_socket = %s
        network = direct
        manage_firewall = 1
        udp_timeout = 10
        """
            .formatted(dir.resolve("no-bird-" + d + ".ctl"))
        + virtual(rs, "    scheduler = mh\n");
  }

  private String pairConfig(List<String> rs) {
    return """
        serial_no = 1
        network = direct
        udp_timeout = 10
        """
        + virtual(rs, "    scheduler = wlc\n    persistent = 45\n");
  }

  private void startDaemon(String d, List<String> extra) throws Exception {
    int n = starts.merge(d, 1, Integer::sum);
    Lab.Director dd = directors.get(d);
    List<String> cmd = new ArrayList<>(DaemonProcess.javaCommand());
    cmd.addAll(DaemonProcess.RUN_ADMIN_OFF);
    cmd.addAll(
        List.of(
            "--config",
            config(d).toString(),
            "--listen",
            "127.0.0.1:" + (9540 + DIRECTORS.indexOf(d)),
            "--ipvs",
            "ipvsadm",
            "--ipvsadm",
            dd.ipvsadm().toString(),
            "--command-prefix",
            String.join(",", dd.prefix()),
            "--drain-file",
            dir.resolve("drain-" + d).toString()));
    cmd.addAll(extra);
    daemons.put(
        d,
        java.util.Objects.requireNonNull(ctl)
            .start(dir.resolve("daemon-" + d + "-" + n + ".log"), cmd));
  }

  // ---- tables ---------------------------------------------------------------------------------

  static String dest(String server, int weight) {
    return "-a -f 1 -r " + RIP.get(server) + ":0 -g -w " + weight;
  }

  private List<String> save(String d) {
    ExecResult r = directors.get(d).exec("ipvsadm", "-S", "-n");
    assertThat(r.succeeded()).as("%s ipvsadm -S -n: %s", d, r.describe()).isTrue();
    return r.stdout().lines().map(String::strip).filter(x -> !x.isEmpty()).toList();
  }

  /** The kernel's list, in order: service lines and {@code -> RIP:PORT WEIGHT}. */
  private List<String> kernelOrder(String d) {
    ExecResult r = directors.get(d).exec("ipvsadm", "-L", "-n", "--nosort");
    assertThat(r.succeeded()).as("%s ipvsadm -L -n --nosort: %s", d, r.describe()).isTrue();
    List<String> out = new ArrayList<>();
    for (String line : r.stdout().lines().toList()) {
      String[] t = line.strip().split("\\s+");
      if (line.startsWith("FWM") || line.startsWith("UDP") || line.startsWith("TCP")) {
        out.add(line.strip().replaceAll("\\s+", " "));
      } else if (t.length >= 4 && t[0].equals("->") && !t[1].startsWith("Remote")) {
        out.add("-> " + t[1] + " " + t[3]);
      }
    }
    return out;
  }

  /** Polls every director until {@code p} holds for each; returns the epoch ms it first did. */
  private long awaitTables(
      String what, Duration timeout, java.util.function.Predicate<List<String>> p)
      throws Exception {
    Map<String, List<String>> last = new ConcurrentSkipListMap<>();
    Waits.until(
        what,
        timeout,
        Duration.ofMillis(200),
        () -> {
          boolean all = true;
          for (String d : DIRECTORS) {
            List<String> t = save(d);
            last.put(d, t);
            all &= p.test(t);
            Process daemon = daemons.get(d);
            if (daemon != null && !daemon.isAlive()) {
              throw new AssertionError("lvs-pulse of " + d + " exited; see " + dir);
            }
          }
          return all;
        },
        () -> "not " + what + " within " + timeout + ": " + last);
    return System.currentTimeMillis();
  }

  /** Asserts the three directors have the same table and list order; returns that order. */
  private List<String> assertIdenticalTables(String when) {
    List<String> save = save(DIRECTORS.get(0));
    List<String> order = kernelOrder(DIRECTORS.get(0));
    for (String d : DIRECTORS.subList(1, DIRECTORS.size())) {
      assertThat(save(d)).as("%s: %s's table", when, d).isEqualTo(save);
      assertThat(kernelOrder(d)).as("%s: %s's kernel list order", when, d).isEqualTo(order);
    }
    numbers.put("identical tables and order, " + when, order);
    return order;
  }

  private static final Pattern CONN =
      Pattern.compile(
          "^UDP\\s+\\S+\\s+\\S+\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+):\\d+\\s+\\S+\\s+(\\S+):\\d+");

  /** From every director's connection table: client address -> real servers it was sent to. */
  private Map<String, Set<String>> serversByClient() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (String d : DIRECTORS) {
      ExecResult r = directors.get(d).exec("ipvsadm", "-L", "-n", "-c");
      for (String line : r.stdout().lines().toList()) {
        Matcher m = CONN.matcher(line.strip());
        if (m.find()) {
          out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
        }
      }
    }
    return out;
  }

  /** From every director's connection table: client address -> directors that saw its flows. */
  private Map<String, Set<String>> directorsByClient() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (String d : DIRECTORS) {
      ExecResult r = directors.get(d).exec("ipvsadm", "-L", "-n", "-c");
      for (String line : r.stdout().lines().toList()) {
        Matcher m = CONN.matcher(line.strip());
        if (m.find()) {
          out.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(d);
        }
      }
    }
    return out;
  }

  // ---- load -----------------------------------------------------------------------------------

  /** Events to run while the load runs, given its start (epoch ms). */
  @FunctionalInterface
  interface During {
    void at(long startMs) throws Exception;
  }

  private List<Transfer> run(String phase, Duration d, During during) throws Exception {
    Path csv = dir.resolve(phase + ".csv");
    load =
        java.util.Objects.requireNonNull(cli)
            .start(
                dir.resolve(phase + "-load.log"),
                javaCp(
                    "run",
                    VIP,
                    "who.txt",
                    csv.toString(),
                    Long.toString(d.toMillis()),
                    "10",
                    "2",
                    "1000",
                    String.join(",", STICKY),
                    String.join(",", FRESH)));
    long t0 = System.currentTimeMillis();
    during.at(t0);
    Process p = java.util.Objects.requireNonNull(load);
    awaitLoadGenerator(p, "load generator");
    assertThat(p.exitValue()).as(Files.readString(dir.resolve(phase + "-load.log"))).isZero();
    return TftpLoad.read(csv);
  }
}
