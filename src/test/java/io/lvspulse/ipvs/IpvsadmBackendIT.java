package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsCommandTest.sa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.Lab;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ipvsadm backend and the reconciler against a REAL IPVS kernel: a fresh director of the
 * project's lab ({@link Lab}) through its drop-in ipvsadm. Skips when the lab cannot come up, fails
 * under CI=true. Uses only fwmarks 101..109 and VIPs in 198.51.100.0/24 and deletes exactly those
 * services afterwards; never flushes the table.
 */
class IpvsadmBackendIT {
  static final ServiceKey TFTP = ServiceKey.fwmark(101);
  static final ServiceKey WEB = ServiceKey.tcp(sa("198.51.100.20:80"));
  static final ServiceKey THEIRS = ServiceKey.fwmark(109);
  static final List<ServiceKey> OURS =
      List.of(
          TFTP,
          WEB,
          THEIRS,
          ServiceKey.fwmark(102),
          ServiceKey.fwmark6(102),
          ServiceKey.fwmark(103),
          ServiceKey.udp(sa("198.51.100.21:69")));

  final ExecRunner runner = new ExecRunner();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  Path ipvsadm;
  Lab.@Nullable Director director;
  boolean vmReady;
  IpvsadmBackend backend;
  IpvsReconciler reconciler;

  @BeforeEach
  void setUp() throws Exception {
    director = Lab.get().director("backendit");
    ipvsadm = director.ipvsadm();
    ExecResult probe =
        runner.run(ExecRequest.of(Duration.ofSeconds(30), ipvsadm.toString(), "-S", "-n"));
    assertThat(probe.succeeded())
        .as("ipvsadm -S -n in the director: %s", probe.describe())
        .isTrue();
    vmReady = true;
    cleanUp();
    backend =
        IpvsadmBackend.open(
            IpvsadmBackend.Options.explicit(ipvsadm).withTimeout(Duration.ofSeconds(30)), runner);
    reconciler =
        new IpvsReconciler(
            backend,
            registry,
            new IpvsReconciler.RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)),
            IpvsReconciler.Sleeper.real());
  }

  void cleanUp() throws Exception {
    if (!vmReady) {
      return; // skipped: nothing was created
    }
    Set<ServiceKey> present = IpvsadmSaveParser.parse(save()).keys();
    for (ServiceKey k : OURS) {
      if (present.contains(k)) {
        ExecResult r = ipvsadm(List.of("-D"), k.args());
        assertThat(r.succeeded()).as("cleanup -D %s: %s", k, r.describe()).isTrue();
      }
    }
    assertThat(IpvsadmSaveParser.parse(save()).keys()).doesNotContainAnyElementsOf(OURS);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      cleanUp();
    } finally {
      if (director != null) {
        director.close();
      }
    }
  }

  ExecResult ipvsadm(List<String> a, List<String> b) {
    List<String> cmd = new ArrayList<>(List.of(ipvsadm.toString()));
    cmd.addAll(a);
    cmd.addAll(b);
    return runner.run(ExecRequest.of(Duration.ofSeconds(30), cmd));
  }

  /** The kernel's table as `ipvsadm -S -n` prints it. */
  String save() {
    ExecResult r = ipvsadm(List.of("-S", "-n"), List.of());
    assertThat(r.succeeded()).as(r.describe()).isTrue();
    return r.stdout();
  }

  static IpvsDestination dr(String a, int w) {
    return new IpvsDestination(sa(a), ForwardingMethod.ROUTE, w);
  }

  IpvsTable desired(int w2, int w3, String sched) {
    return IpvsTable.builder()
        .service(IpvsService.of(TFTP, sched).withPersistence(Duration.ofSeconds(45)))
        .destination(TFTP, dr("10.0.0.2:69", w2))
        .destination(TFTP, dr("10.0.0.3:69", w3))
        .service(IpvsService.of(WEB, "wrr"))
        .destination(WEB, new IpvsDestination(sa("192.0.2.10:8080"), ForwardingMethod.MASQ, 5))
        .build();
  }

  @Test
  void the_reconciler_builds_edits_and_removes_managed_services_in_the_real_kernel() {
    IpvsReconciler.Result r = reconciler.reconcile(desired(1, 1, "wlc"), Set.of(TFTP, WEB));

    assertThat(r.converged()).as("%s", r).isTrue();
    assertThat(save())
        .contains(
            "-A -f 101 -s wlc -p 45\n-a -f 101 -r 10.0.0.2:69 -g -w 1\n-a -f 101 -r 10.0.0.3:69 -g -w 1\n")
        .contains(
            "-A -t 198.51.100.20:80 -s wrr\n-a -t 198.51.100.20:80 -r 192.0.2.10:8080 -m -w 5\n");

    // quiesce one server (weight 0) and change the scheduler: -e and -E, no delete
    r = reconciler.reconcile(desired(0, 1, "rr"), Set.of(TFTP, WEB));

    assertThat(r.converged()).isTrue();
    assertThat(r.sent())
        .extracting(IpvsCommand::line)
        .containsExactly("-E -f 101 -s rr -p 45", "-e -f 101 -r 10.0.0.2:69 -g -w 0");
    assertThat(save()).contains("-A -f 101 -s rr -p 45\n-a -f 101 -r 10.0.0.2:69 -g -w 0\n");

    // the web service is no longer wanted but still managed: deleted with one -D
    IpvsTable onlyTftp = desired(0, 1, "rr").only(Set.of(TFTP));
    r = reconciler.reconcile(onlyTftp, Set.of(TFTP, WEB));

    assertThat(r.sent()).extracting(IpvsCommand::line).containsExactly("-D -t 198.51.100.20:80");
    assertThat(save()).doesNotContain("198.51.100.20:80").contains("-A -f 101 -s rr -p 45");
    assertThat(registry.get(MeteredIpvsBackend.COMMANDS).tag("result", "ok").counter().count())
        .isGreaterThanOrEqualTo(9);
  }

  @Test
  void drift_is_repaired_and_an_operators_own_service_is_left_alone() {
    IpvsTable want = desired(1, 1, "wlc");
    assertThat(reconciler.reconcile(want, Set.of(TFTP, WEB)).converged()).isTrue();
    // the operator removes a managed server by hand and creates a service of their own
    assertThat(ipvsadm(List.of("-d"), List.of("-f", "101", "-r", "10.0.0.3:69")).succeeded())
        .isTrue();
    assertThat(ipvsadm(List.of("-A"), List.of("-f", "109", "-s", "rr")).succeeded()).isTrue();
    assertThat(
            ipvsadm(List.of("-a"), List.of("-f", "109", "-r", "10.0.0.9", "-g", "-w", "3"))
                .succeeded())
        .isTrue();
    assertThat(save()).doesNotContain("-r 10.0.0.3:69");

    IpvsReconciler.Result r = reconciler.reconcile();

    assertThat(r.sent())
        .extracting(IpvsCommand::line)
        .containsExactly("-a -f 101 -r 10.0.0.3:69 -g -w 1");
    assertThat(save())
        .contains("-a -f 101 -r 10.0.0.3:69 -g -w 1")
        .contains("-A -f 109 -s rr\n-a -f 109 -r 10.0.0.9:0 -g -w 3\n");
  }

  /**
   * docs/ipvs.md, "Firewall-mark real servers have port 0": the kernel keeps the port of a fwmark
   * real server; one added without a port (as ipvsadm users and lvs-pulse do) is IP:0, the
   * destination lvs-pulse programs: an edit in place, nothing added.
   */
  @Test
  void a_fwmark_server_added_without_a_port_is_the_destination_lvs_pulse_programs() {
    assertThat(ipvsadm(List.of("-A"), List.of("-f", "101", "-s", "wlc", "-p", "45")).succeeded())
        .isTrue();
    assertThat(
            ipvsadm(List.of("-a"), List.of("-f", "101", "-r", "10.0.0.2", "-g", "-w", "1"))
                .succeeded())
        .isTrue();
    assertThat(save()).contains("-a -f 101 -r 10.0.0.2:0 -g -w 1");
    IpvsTable want =
        IpvsTable.builder()
            .service(IpvsService.of(TFTP, "wlc").withPersistence(Duration.ofSeconds(45)))
            .destination(TFTP, dr("10.0.0.2:0", 0))
            .build();

    IpvsReconciler.Result r = reconciler.reconcile(want, Set.of(TFTP));

    assertThat(r.converged()).isTrue();
    assertThat(r.sent())
        .extracting(IpvsCommand::line)
        .containsExactly("-e -f 101 -r 10.0.0.2:0 -g -w 0");
    assertThat(save())
        .contains("-A -f 101 -s wlc -p 45\n-a -f 101 -r 10.0.0.2:0 -g -w 0\n")
        .doesNotContain("10.0.0.2:69");
  }

  /**
   * docs/ipvs.md, "Firewall-mark real servers have port 0": a table programmed as RIP:69 (Piranha's
   * lvsd, older lvs-pulse) moves to RIP:0 in one batch, the new destination added before the old
   * one is deleted, and the real kernel ends with RIP:0 only.
   */
  @Test
  void a_fwmark_table_at_the_service_port_moves_to_port_0_adding_before_deleting() {
    assertThat(ipvsadm(List.of("-A"), List.of("-f", "101", "-s", "wlc", "-p", "45")).succeeded())
        .isTrue();
    assertThat(
            ipvsadm(List.of("-a"), List.of("-f", "101", "-r", "10.0.0.2:69", "-g", "-w", "1"))
                .succeeded())
        .isTrue();
    IpvsTable want =
        IpvsTable.builder()
            .service(IpvsService.of(TFTP, "wlc").withPersistence(Duration.ofSeconds(45)))
            .destination(TFTP, dr("10.0.0.2:0", 1))
            .build();

    IpvsReconciler.Result r = reconciler.reconcile(want, Set.of(TFTP));

    assertThat(r.converged()).isTrue();
    assertThat(r.sent())
        .extracting(IpvsCommand::line)
        .containsExactly("-a -f 101 -r 10.0.0.2:0 -g -w 1", "-d -f 101 -r 10.0.0.2:69");
    assertThat(save())
        .contains("-A -f 101 -s wlc -p 45\n-a -f 101 -r 10.0.0.2:0 -g -w 1\n")
        .doesNotContain("10.0.0.2:69");
  }

  /**
   * docs/ipvs.md, "Reconciliation": ipvsadm -R exits 0 when a line fails, and goes on with the next
   * lines.
   */
  @Test
  void a_failing_line_in_a_real_R_batch_is_reported_and_later_lines_still_apply() {
    List<IpvsCommand> batch =
        List.of(
            new IpvsCommand.AddDestination(ServiceKey.fwmark(102), dr("10.0.0.8:69", 1)),
            new IpvsCommand.AddService(IpvsService.of(ServiceKey.fwmark(103), "rr")));

    assertThatThrownBy(() -> backend.apply(batch))
        .isInstanceOfSatisfying(
            IpvsException.class, e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.FAILED))
        .hasMessageContaining("exit 0 but stderr: Service not defined");
    assertThat(save()).contains("-A -f 103 -s rr").doesNotContain("-f 102");
  }

  @Test
  void the_read_table_equals_what_was_written_including_ipv6_and_persistence_masks()
      throws Exception {
    ServiceKey v6 = ServiceKey.fwmark6(102);
    ServiceKey udp = ServiceKey.udp(sa("198.51.100.21:69"));
    IpvsTable want =
        IpvsTable.builder()
            .service(IpvsService.of(v6, "sh"))
            .destination(v6, new IpvsDestination(sa("[2001:db8::20]:0"), ForwardingMethod.ROUTE, 1))
            .service(
                IpvsService.of(udp, "wlc")
                    .withPersistence(Duration.ofSeconds(300))
                    .withPersistenceMask("255.255.255.0"))
            .destination(udp, new IpvsDestination(sa("192.0.2.30:69"), ForwardingMethod.TUNNEL, 2))
            .build();
    try {
      backend.apply(IpvsPlanner.plan(want, IpvsTable.EMPTY, want.keys()));

      assertThat(backend.read().only(want.keys())).isEqualTo(want);
      assertThat(save())
          .contains("-A -f 102 -6 -s sh\n-a -f 102 -6 -r [2001:db8::20]:0 -g -w 1\n")
          .contains("-A -u 198.51.100.21:69 -s wlc -p 300 -M 255.255.255.0\n");
    } finally {
      cleanUp();
    }
  }

  @Test
  void timeouts_and_the_sync_daemon_are_accepted_by_the_real_kernel() throws Exception {
    backend.setTimeouts(IpvsTimeouts.UNCHANGED);
    backend.startSyncDaemon(SyncDaemonRole.BACKUP, "lo", 7);
    try {
      assertThat(ipvsadm(List.of("-L", "--daemon"), List.of()).stdout())
          .contains("backup sync daemon (mcast=lo, syncid=7");
    } finally {
      backend.stopSyncDaemon(SyncDaemonRole.BACKUP);
    }
    assertThat(ipvsadm(List.of("-L", "--daemon"), List.of()).stdout())
        .doesNotContain("backup sync daemon");
  }
}
