package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.MiniJson;
import io.lvspulse.testing.NetNs;
import io.lvspulse.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pair end to end: two real {@code lvs-pulse run} processes (the shaded jar), each started
 * inside its own network namespace with {@code ip netns exec}, joined by a veth pair whose ends are
 * called {@code eth0} (192.0.2.1/24 on the primary's side, 192.0.2.2/24 on the backup's). The
 * config is the TFTP example's: fwmark 1, VIP {@code 203.0.113.10 eth0:1}, keepalive 1 s, deadtime
 * 3 s. Each namespace runs two real tftpd-hpa servers on its own loopback (127.0.0.2:69 and
 * 127.0.0.3:69), so both directors probe real answering servers and nothing leaves the namespaces.
 * The directors' {@code ip addr} and {@code arping} run for real inside their namespace; IPVS is
 * the dry-run backend. The test reads each director's {@code /status} and {@code /metrics} with
 * {@code ip netns exec NS curl}.
 *
 * <p>Needs root (network namespaces), iproute2, iputils arping, curl and tftpd-hpa: skipped without
 * them, failed under {@code CI=true}. Director logs are kept in {@code target/it-logs/}.
 */
class TwoDirectorFailoverIT {
  private static final Duration KEEPALIVE = Duration.ofSeconds(1);
  private static final Duration DEADTIME = Duration.ofSeconds(3);
  private static final Duration TAKEOVER_BOUND = DEADTIME.plusSeconds(1);
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final String PRIMARY_ADDRESS = "192.0.2.1";
  private static final String BACKUP_ADDRESS = "192.0.2.2";
  private static final String VIP = "203.0.113.10";
  private static final String VIP_CIDR = VIP + "/24";
  private static final String VIP_LABEL = "eth0:1";
  private static final int HTTP_PORT = 9539;
  private static final int HEARTBEAT_PORT = 539;
  private static final List<String> REAL_SERVERS = List.of("127.0.0.2", "127.0.0.3");
  private static final ExecRunner RUNNER = new ExecRunner();

  private static Path jar;
  private static Path tftpd;

  @TempDir Path tmp;
  private Path logs;
  private @Nullable Lab lab;
  private final List<Process> tftpServers = new ArrayList<>();
  private final List<Director> directors = new ArrayList<>();

  @BeforeAll
  static void peers() {
    jar = Peers.jar();
    tftpd = Peers.inTftpd();
    Peers.requireExecutable(
        "curl (reads /status inside the namespaces)", "LVS_PULSE_CURL", "/usr/bin/curl");
    Peers.requireExecutable(
        "iputils arping", "LVS_PULSE_ARPING", "/usr/bin/arping", "/usr/sbin/arping");
  }

  @BeforeEach
  void setUp(TestInfo info) throws IOException {
    logs =
        Path.of(
                "target",
                "it-logs",
                "TwoDirectorFailoverIT",
                info.getTestMethod().orElseThrow().getName())
            .toAbsolutePath();
    Files.createDirectories(logs);
    lab = Lab.create();
    Path root = tmp.resolve("tftproot");
    Files.createDirectories(root);
    Files.writeString(root.resolve("boot.txt"), "hello\n");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String ns : List.of(lab.primary, lab.backup)) {
      for (String a : REAL_SERVERS) {
        tftpServers.add(
            new ProcessBuilder(
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    tftpd.toString(),
                    "-L",
                    "-a",
                    a + ":69",
                    "-s",
                    "-u",
                    "nobody",
                    root.toString())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("tftpd-" + ns + "-" + a + ".log").toFile())
                .start());
      }
    }
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Director d : directors) {
      d.stop();
    }
    for (Process p : tftpServers) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    if (lab != null) {
      lab.close();
    }
    System.out.println("director logs: " + logs);
  }

  @Test
  void
      the_backup_takes_over_the_vip_and_a_programmed_table_within_deadtime_plus_one_second_of_a_kill_9_and_the_restarted_primary_stays_backup()
          throws Exception {
    Path config = writeConfig(Optional.empty());
    Lab l = lab();
    Director primary = new Director("primary", l.primary, config, List.of());
    Director backup = new Director("backup", l.backup, config, List.of());

    // Both start (the primary first, so it is running when the backup looks for it).
    primary.start();
    primary.awaitStatus();
    backup.start();

    // The primary becomes active, holds the VIP with its label and programs the table with the
    // configured weights.
    await(
        "the primary holds the VIP and its table is programmed",
        STARTUP,
        () -> l.holdsVip(l.primary) && programmed(primary.status()));
    await(
        "the backup hears the primary",
        STARTUP,
        () -> "running".equals(at(backup.status(), "director", "partner_state")));
    Map<String, Object> ps = primary.status();
    assertThat(at(ps, "director", "role")).isEqualTo("primary");
    assertThat(at(ps, "director", "role_reason"))
        .asString()
        .contains(PRIMARY_ADDRESS + " is on eth0");
    assertThat(at(ps, "director", "active")).isEqualTo(true);
    assertThat(primary.log())
        .contains(
            "ipvsadm -a -f 1 -r 127.0.0.2:0 -g -w 1", "ipvsadm -a -f 1 -r 127.0.0.3:0 -g -w 2");

    // The backup is inactive, holds no VIP, keeps probing and, with syncdaemon = 1, programs its
    // IPVS table too (the synced connections bind to it).
    Map<String, Object> bs = backup.status();
    assertThat(at(bs, "director", "role")).isEqualTo("backup");
    assertThat(at(bs, "director", "role_reason"))
        .asString()
        .contains(BACKUP_ADDRESS + " is on eth0");
    assertThat(at(bs, "director", "active")).isEqualTo(false);
    assertThat(at(bs, "ipvs", "programming")).isEqualTo(true);
    assertThat(l.holdsVip(l.backup)).isFalse();
    await(
        "the inactive backup finds both real servers up",
        STARTUP,
        () -> allServersUp(backup.status()));
    double successes =
        ((Number) at(backup.status(), "virtuals", 0, "servers", 1, "consecutive_successes"))
            .doubleValue();
    await(
        "the inactive backup keeps probing",
        Duration.ofSeconds(15),
        () ->
            ((Number) at(backup.status(), "virtuals", 0, "servers", 1, "consecutive_successes"))
                    .doubleValue()
                > successes);
    assertThat(metric(primary.metrics(), "lvs_pulse_director_active", "")).isEqualTo(1.0);
    assertThat(metric(backup.metrics(), "lvs_pulse_director_active", "")).isEqualTo(0.0);
    assertThat(metric(backup.metrics(), "lvs_pulse_heartbeats_received_total", "result=\"ok\""))
        .isPositive();
    assertThat(metric(primary.metrics(), "lvs_pulse_heartbeats_received_total", "result=\"ok\""))
        .isPositive();
    assertThat(metric(primary.metrics(), "lvs_pulse_heartbeats_sent_total", "")).isPositive();
    assertThat(primary.metrics()).doesNotContain("lvs_pulse_failover_action_failures_total");

    // kill -9 the primary: the backup holds the VIP and a programmed table within deadtime + 1 s.
    long t0 = System.nanoTime();
    primary.kill9();
    Takeover t = measureTakeover(l, l.backup, backup, Duration.ofSeconds(15), t0);
    System.out.printf(
        "takeover after kill -9: VIP after %d ms, table programmed after %d ms (deadtime %d ms)%n",
        t.vip().toMillis(), t.table().toMillis(), DEADTIME.toMillis());
    assertThat(t.both())
        .as("takeover time after kill -9 of the primary")
        .isLessThanOrEqualTo(TAKEOVER_BOUND);
    // The table was programmed before the VIP came up (while inactive, with the sync daemon).
    assertThat(lineOf(backup.log(), "would run ipvsadm -a -f 1 -r 127.0.0.3:0 -g -w 2"))
        .isLessThan(lineOf(backup.log(), "VIP " + VIP_CIDR + " up on " + VIP_LABEL));
    bs = backup.status();
    assertThat(at(bs, "director", "last_transition"))
        .asString()
        .startsWith("partner silent for deadtime");
    assertThat(backup.log())
        .contains(
            "ipvsadm -a -f 1 -r 127.0.0.2:0 -g -w 1", "ipvsadm -a -f 1 -r 127.0.0.3:0 -g -w 2");
    assertThat(metric(backup.metrics(), "lvs_pulse_director_active", "")).isEqualTo(1.0);
    assertThat(metric(backup.metrics(), "lvs_pulse_failovers_total", "")).isEqualTo(1.0);
    // A killed director cannot take its VIP down: the dead primary's namespace still has it.
    assertThat(l.holdsVip(l.primary)).isTrue();

    // Restart the primary: it removes the VIP its predecessor left, hears the active backup and
    // stays inactive.
    Director restarted = new Director("primary-restarted", l.primary, config, List.of());
    restarted.start();
    await(
        "the restarted primary hears the active backup",
        STARTUP,
        () -> "running".equals(at(restarted.status(), "director", "partner_state")));
    await(
        "the restarted primary removed the stale VIP",
        Duration.ofSeconds(10),
        () -> !l.holdsVip(l.primary));
    Awaitility.await("no failback for two deadtimes")
        .during(DEADTIME.multipliedBy(2))
        .atMost(DEADTIME.multipliedBy(2).plusSeconds(10))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              assertThat(at(restarted.status(), "director", "active"))
                  .as("no failback")
                  .isEqualTo(false);
              assertThat(at(backup.status(), "director", "active")).isEqualTo(true);
              assertThat(l.holdsVip(l.backup)).isTrue();
              assertThat(l.holdsVip(l.primary)).isFalse();
            });
    assertThat(metric(restarted.metrics(), "lvs_pulse_failovers_total", "")).isZero();
    assertThat(at(restarted.status(), "ipvs", "programming")).isEqualTo(true); // syncdaemon = 1

    // SIGTERM the active backup: it takes its VIP down and says STOPPED, so the primary takes over
    // at once.
    long t1 = System.nanoTime();
    backup.stop();
    Takeover handover = measureTakeover(l, l.primary, restarted, Duration.ofSeconds(15), t1);
    System.out.printf(
        "handover after SIGTERM of the active backup: VIP after %d ms, table programmed after %d ms%n",
        handover.vip().toMillis(), handover.table().toMillis());
    assertThat(handover.both())
        .as("STOPPED makes the primary take over without waiting for deadtime")
        .isLessThan(DEADTIME);
    assertThat(at(restarted.status(), "director", "last_transition")).isEqualTo("backup inactive");
    assertThat(l.holdsVip(l.backup)).isFalse();
    assertThat(backup.log()).contains("VIP " + VIP_CIDR + " down on " + VIP_LABEL);

    restarted.stop();
    assertThat(l.holdsVip(l.primary)).as("a stopped director gives its VIP up").isFalse();
  }

  @Test
  void
      with_a_heartbeat_key_and_forced_roles_the_pair_pairs_and_the_active_backup_ignores_a_forged_and_a_replayed_heartbeat()
          throws Exception {
    byte[] keyBytes = new byte[32];
    new SecureRandom().nextBytes(keyBytes);
    Path keyFile = tmp.resolve("heartbeat.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(keyBytes) + "\n");
    Path config = writeConfig(Optional.of(keyFile));
    Lab l = lab();
    Director primary = new Director("primary", l.primary, config, List.of("--role", "primary"));
    Director backup = new Director("backup", l.backup, config, List.of("--role", "backup"));
    primary.start();
    primary.awaitStatus();
    backup.start();

    await(
        "the primary holds the VIP and its table is programmed",
        STARTUP,
        () -> l.holdsVip(l.primary) && programmed(primary.status()));
    await(
        "the backup hears the primary",
        STARTUP,
        () -> "running".equals(at(backup.status(), "director", "partner_state")));
    for (Director d : List.of(primary, backup)) {
      Map<String, Object> s = d.status();
      assertThat(at(s, "director", "authenticated")).isEqualTo(true);
      assertThat(at(s, "director", "role_reason")).asString().startsWith("--role ");
      assertThat(metric(d.metrics(), "lvs_pulse_heartbeats_received_total", "result=\"ok\""))
          .isPositive();
      assertThat(metric(d.metrics(), "lvs_pulse_heartbeats_received_total", "result=\"bad_mac\""))
          .isZero();
    }
    assertThat(at(backup.status(), "director", "active")).isEqualTo(false);
    assertThat(l.holdsVip(l.backup)).isFalse();

    long t0 = System.nanoTime();
    primary.kill9();
    Takeover t = measureTakeover(l, l.backup, backup, Duration.ofSeconds(15), t0);
    System.out.printf(
        "authenticated takeover after kill -9: VIP after %d ms, table programmed after %d ms%n",
        t.vip().toMillis(), t.table().toMillis());
    assertThat(t.both()).isLessThanOrEqualTo(TAKEOVER_BOUND);

    // From the dead primary's address, inside its namespace: a RUNNING with a bad MAC and a
    // recording of an earlier run (a run id the backup never echoed) with a good MAC. A RUNNING
    // the backup accepted would make it yield.
    HeartbeatKey key =
        HeartbeatKey.read(keyFile); // the file's bytes are the key (base64 text here)
    byte[] otherKey = new byte[32];
    new SecureRandom().nextBytes(otherKey);
    byte[] forged =
        new AuthenticatedHeartbeatCodec(
                Role.PRIMARY, HeartbeatKey.of(otherKey), InstantSource.system())
            .encode(HeartbeatState.RUNNING);
    byte[] replayed =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, key, InstantSource.system())
            .encode(HeartbeatState.RUNNING);
    sendFrom(l.primary, PRIMARY_ADDRESS, BACKUP_ADDRESS, forged, replayed);
    await(
        "the backup counted the forged and the replayed heartbeat",
        Duration.ofSeconds(10),
        () ->
            metric(backup.metrics(), "lvs_pulse_heartbeats_received_total", "result=\"bad_mac\"")
                    >= 1
                && metric(
                        backup.metrics(),
                        "lvs_pulse_heartbeats_received_total",
                        "result=\"handshake\"")
                    >= 1);
    Awaitility.await("the backup stays active for three keepalives")
        .during(KEEPALIVE.multipliedBy(3))
        .atMost(KEEPALIVE.multipliedBy(3).plusSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertThat(at(backup.status(), "director", "active")).isEqualTo(true);
              assertThat(l.holdsVip(l.backup)).isTrue();
            });
    assertThat(metric(backup.metrics(), "lvs_pulse_failovers_total", "")).isEqualTo(1.0);

    // Control: the primary itself, restarted (a new run, accepted after one round trip), is heard
    // and stays passive; the backup keeps the VIPs (no failback).
    primary.start();
    await(
        "the backup hears the restarted primary",
        STARTUP,
        () -> "stopped".equals(at(backup.status(), "director", "partner_state")));
    assertThat(at(backup.status(), "director", "active")).isEqualTo(true);
    assertThat(at(primary.status(), "director", "active")).isEqualTo(false);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private Lab lab() {
    Lab l = lab;
    if (l == null) {
      throw new IllegalStateException("no lab");
    }
    return l;
  }

  private Path writeConfig(Optional<Path> keyFile) throws IOException {
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < REAL_SERVERS.size(); i++) {
      servers.append(
          """
               server ftp%d {
                   address = %s
                   active = 1
                   weight = %d
               }
          """
              .formatted(i + 1, REAL_SERVERS.get(i), i + 1));
    }
    String cfg =
        """
        serial_no = 1
        primary = %s
        service = lvs
        backup_active = 1
        backup = %s
        heartbeat = 1
        heartbeat_port = %d
        keepalive = %d
        deadtime = %d
        %s
        network = direct
        monitor_links = 1
        syncdaemon = 1
        syncd_iface = eth0
        syncd_id = 7
        virtual tftp {
             active = 1
             address = %s %s
             vip_nmask = 255.255.255.0
             fwmark = 1
             port = 69
             persistent = 45
             expect = "OK - answer from server"
             use_regex = 0
             send_program = "/usr/local/bin/check_tftp --connect %%h"
             load_monitor = none
             scheduler = wlc
             protocol = udp
             timeout = 2
             reentry = 4
             quiesce_server = 1
             slow_start = 0
        %s}
        """
            .formatted(
                PRIMARY_ADDRESS,
                BACKUP_ADDRESS,
                HEARTBEAT_PORT,
                KEEPALIVE.toSeconds(),
                DEADTIME.toSeconds(),
                keyFile.map(k -> "heartbeat_key_file = " + k).orElse(""),
                VIP,
                VIP_LABEL,
                servers);
    Path f = tmp.resolve("lvs.cf");
    Files.writeString(f, cfg);
    return f;
  }

  /**
   * Active, programming, converged, every real server up at its configured weight in the desired
   * table.
   */
  private static boolean programmed(@Nullable Map<String, Object> status) {
    if (status == null
        || !Boolean.TRUE.equals(at(status, "director", "active"))
        || !Boolean.TRUE.equals(at(status, "ipvs", "programming"))
        || !Boolean.TRUE.equals(at(status, "ipvs", "converged"))) {
      return false;
    }
    return allServersUp(status)
        && Long.valueOf(1).equals(at(status, "virtuals", 0, "servers", 0, "ipvs_weight"))
        && Long.valueOf(2).equals(at(status, "virtuals", 0, "servers", 1, "ipvs_weight"));
  }

  private static boolean allServersUp(@Nullable Map<String, Object> status) {
    if (status == null) {
      return false;
    }
    List<?> servers = (List<?>) at(status, "virtuals", 0, "servers");
    return servers.size() == REAL_SERVERS.size()
        && servers.stream().allMatch(s -> "up".equals(((Map<?, ?>) s).get("state")));
  }

  /**
   * A field of /status, or null when absent (e.g. no "partner_state" before the failover has
   * started).
   */
  private static @Nullable Object at(@Nullable Map<String, Object> doc, Object... path) {
    try {
      return doc == null ? null : MiniJson.at(doc, path);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Time from now until {@code ns} holds the VIP and {@code d}'s table is programmed (each measured
   * alone).
   */
  private static Takeover measureTakeover(Lab l, String ns, Director d, Duration max)
      throws InterruptedException {
    return measureTakeover(l, ns, d, max, System.nanoTime());
  }

  /** As above, measured from {@code t0} ({@link System#nanoTime()}). */
  private static Takeover measureTakeover(Lab l, String ns, Director d, Duration max, long t0)
      throws InterruptedException {
    AtomicReference<@Nullable Duration> vipAt = new AtomicReference<>();
    AtomicReference<@Nullable Duration> tableAt = new AtomicReference<>();
    Duration left = Duration.ofNanos(Math.max(1, t0 + max.toNanos() - System.nanoTime()));
    try {
      Awaitility.await()
          .atMost(left)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                if (vipAt.get() == null && l.holdsVip(ns)) {
                  vipAt.set(Duration.ofNanos(System.nanoTime() - t0));
                }
                if (tableAt.get() == null && programmed(d.statusOrNull())) {
                  tableAt.set(Duration.ofNanos(System.nanoTime() - t0));
                }
                return vipAt.get() != null && tableAt.get() != null;
              });
    } catch (ConditionTimeoutException e) {
      // reported below, with the director's log
    }
    Duration vip = vipAt.get();
    Duration table = tableAt.get();
    assertThat(vip).as(() -> "VIP on " + ns + " within " + max + "\n" + d.logTail()).isNotNull();
    assertThat(table)
        .as(() -> "table programmed by " + d.name + " within " + max + "\n" + d.logTail())
        .isNotNull();
    return new Takeover(vip, table);
  }

  /** /status or /metrics does not answer (yet). */
  static final class Unreachable extends RuntimeException {
    Unreachable(String message) {
      super(message);
    }
  }

  record Takeover(Duration vip, Duration table) {
    Duration both() {
      return vip.compareTo(table) > 0 ? vip : table;
    }
  }

  private static void await(String what, Duration max, BooleanSupplier condition)
      throws InterruptedException {
    try {
      Awaitility.await(what)
          .atMost(max)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100))
          .ignoreException(Unreachable.class) // not there yet (starting)
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out after " + max.toSeconds() + " s waiting until " + what);
    }
  }

  private static int lineOf(String log, String text) {
    List<String> lines = log.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no line with '" + text + "' in:\n" + log);
  }

  /**
   * The value of one Prometheus sample; {@code labels} is a substring of its label set ("" = any).
   */
  private static double metric(String scrape, String name, String labels) {
    for (String line : scrape.lines().toList()) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        if (labels.isEmpty() || line.contains(labels)) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    throw new AssertionError("no sample " + name + "{" + labels + "} in:\n" + scrape);
  }

  /**
   * Sends each payload as one UDP datagram from {@code source}, port {@code HEARTBEAT_PORT} (the
   * director there must be stopped), inside {@code ns}.
   */
  private void sendFrom(String ns, String source, String destination, byte[]... payloads)
      throws IOException {
    Path src = tmp.resolve("SendUdp.java");
    if (!Files.exists(src)) {
      Files.writeString(
          src,
          """
          import java.net.*;
          import java.util.HexFormat;
          public class SendUdp {
            public static void main(String[] a) throws Exception {
              // from the heartbeat port: the heartbeat sockets are connected to partner:port
              try (DatagramSocket s =
                  new DatagramSocket(new InetSocketAddress(a[0], Integer.parseInt(a[2])))) {
                for (int i = 3; i < a.length; i++) {
                  byte[] p = HexFormat.of().parseHex(a[i]);
                  s.send(new DatagramPacket(p, p.length, new InetSocketAddress(a[1], Integer.parseInt(a[2]))));
                }
              }
            }
          }
          """);
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                ns,
                javaBin(),
                "-Xshare:auto",
                src.toString(),
                source,
                destination,
                Integer.toString(HEARTBEAT_PORT)));
    for (byte[] p : payloads) {
      cmd.add(HexFormat.of().formatHex(p));
    }
    ExecResult r = RUNNER.run(ExecRequest.of(Duration.ofSeconds(60), cmd));
    assertThat(r.succeeded()).as(r.describe()).isTrue();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String must(String... command) {
    ExecResult r = RUNNER.run(ExecRequest.of(Duration.ofSeconds(10), command));
    if (!r.succeeded()) {
      throw new IllegalStateException(String.join(" ", command) + ": " + r.describe());
    }
    return r.stdout();
  }

  /**
   * Two namespaces {@code lvsp-fo-XXXX-p} / {@code -b} joined by veth; both ends are {@code eth0}
   * (192.0.2.1/24 and 192.0.2.2/24), loopback up. Closing deletes both (and so the veth pair).
   */
  static final class Lab implements AutoCloseable {
    final String primary;
    final String backup;
    private final List<String> created = new ArrayList<>();

    private Lab(String id) {
      this.primary = "lvsp-fo-" + id + "-p";
      this.backup = "lvsp-fo-" + id + "-b";
    }

    static Lab create() {
      String id = String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
      Lab lab = new Lab(id);
      ExecResult probe =
          RUNNER.run(ExecRequest.of(Duration.ofSeconds(10), "ip", "netns", "add", lab.primary));
      Peers.require(
          probe.succeeded(),
          "permission to create network namespaces (ip netns add: " + probe.describe() + ")");
      lab.created.add(lab.primary);
      try {
        must("ip", "netns", "add", lab.backup);
        lab.created.add(lab.backup);
        String vp = "lvspf" + id + "p";
        String vb = "lvspf" + id + "b";
        must("ip", "link", "add", vp, "type", "veth", "peer", "name", vb);
        must("ip", "link", "set", vp, "netns", lab.primary);
        must("ip", "link", "set", vb, "netns", lab.backup);
        must("ip", "-n", lab.primary, "link", "set", vp, "name", "eth0");
        must("ip", "-n", lab.backup, "link", "set", vb, "name", "eth0");
        must("ip", "-n", lab.primary, "addr", "add", PRIMARY_ADDRESS + "/24", "dev", "eth0");
        must("ip", "-n", lab.backup, "addr", "add", BACKUP_ADDRESS + "/24", "dev", "eth0");
        for (String n : List.of(lab.primary, lab.backup)) {
          must("ip", "-n", n, "link", "set", "lo", "up");
          must("ip", "-n", n, "link", "set", "eth0", "up");
        }
      } catch (RuntimeException e) {
        lab.close();
        throw e;
      }
      return lab;
    }

    /** {@code ns} has the VIP on eth0 with the label {@code eth0:1}. */
    boolean holdsVip(String ns) {
      for (String line :
          must("ip", "-n", ns, "-o", "-4", "addr", "show", "dev", "eth0").lines().toList()) {
        if (line.contains("inet " + VIP_CIDR + " ")) {
          assertThat(line).as("the VIP's label").contains(" " + VIP_LABEL);
          return true;
        }
      }
      return false;
    }

    @Override
    public void close() {
      NetNs.deleteAll(created);
    }
  }

  /**
   * One {@code lvs-pulse run} process inside a namespace; {@link #stop()} is SIGTERM, then SIGKILL.
   */
  final class Director {
    final String name;
    final String ns;
    private final Path config;
    private final List<String> extra;
    private final Path log;
    private @Nullable Process process;

    Director(String name, String ns, Path config, List<String> extra) {
      this.name = name;
      this.ns = ns;
      this.config = config;
      this.extra = List.copyOf(extra);
      this.log = logs.resolve(name + ".log");
    }

    void start() throws IOException {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  ns,
                  javaBin(),
                  "-Xmx128m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-jar",
                  jar.toString()));
      cmd.addAll(DaemonProcess.RUN_ADMIN_OFF);
      cmd.addAll(
          List.of(
              "--config",
              config.toString(),
              "--ipvs",
              "dry-run",
              "--listen",
              "127.0.0.1:" + HTTP_PORT));
      cmd.addAll(extra);
      process =
          new ProcessBuilder(cmd)
              .directory(tmp.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      directors.add(this);
    }

    /** Waits until /status answers (the daemon, and so its failover, has started). */
    void awaitStatus() throws InterruptedException {
      await(
          name + " serves /status",
          STARTUP,
          () -> {
            Process p = process;
            if (p != null && !p.isAlive()) {
              throw new AssertionError(name + " exited with " + p.exitValue() + ":\n" + logTail());
            }
            return statusOrNull() != null;
          });
    }

    void kill9() throws InterruptedException {
      Process p = process;
      if (p != null) {
        p.destroyForcibly(); // SIGKILL; `ip netns exec` exec()s java, so this is the daemon itself
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      }
    }

    void stop() throws InterruptedException {
      Process p = process;
      if (p == null || !p.isAlive()) {
        return;
      }
      p.destroy(); // SIGTERM: the daemon's shutdown hook gives the VIP up and says STOPPED
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(name + " did not stop within 20 s of SIGTERM");
      }
    }

    private Optional<String> get(String path) {
      ExecResult r = NetNs.curl(ns, "http://127.0.0.1:" + HTTP_PORT + path);
      return r.succeeded() && !r.stdout().isBlank() ? Optional.of(r.stdout()) : Optional.empty();
    }

    @Nullable Map<String, Object> statusOrNull() {
      return get("/status").map(MiniJson::object).orElse(null);
    }

    Map<String, Object> status() {
      return get("/status")
          .map(MiniJson::object)
          .orElseThrow(() -> new Unreachable(name + ": /status unreachable\n" + logTail()));
    }

    String metrics() {
      return get("/metrics")
          .orElseThrow(() -> new Unreachable(name + ": /metrics unreachable\n" + logTail()));
    }

    String log() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }

    String logTail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }
  }
}
