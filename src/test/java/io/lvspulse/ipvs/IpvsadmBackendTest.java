package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsPlannerTest.TFTP;
import static io.lvspulse.ipvs.IpvsPlannerTest.TFTP_SVC;
import static io.lvspulse.ipvs.IpvsPlannerTest.dr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.exec.ExecRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ipvsadm backend against a fake ipvsadm script (the real kernel is in IpvsadmBackendIT). */
class IpvsadmBackendTest {
  @TempDir Path tmp;
  FakeIpvsadm fake;
  IpvsadmBackend backend;

  @BeforeEach
  void setUp() {
    fake = new FakeIpvsadm(tmp);
    backend =
        new IpvsadmBackend(
            IpvsadmBackend.Options.explicit(fake.wrapper())
                .withTimeout(Duration.ofSeconds(1))
                .withProcNetIpVs(tmp.resolve("no-proc-net-ip_vs"), 100),
            new ExecRunner());
  }

  @Test
  void a_batch_is_one_ipvsadm_R_call_with_every_line_on_stdin() throws Exception {
    backend.apply(
        List.of(
            new IpvsCommand.AddService(TFTP_SVC),
            new IpvsCommand.AddDestination(TFTP, dr("10.0.0.2:69", 1))));

    assertThat(fake.calls()).containsExactly("-R");
    assertThat(fake.table()).isEqualTo("-A -f 1 -s wlc -p 45\n-a -f 1 -r 10.0.0.2:69 -g -w 1\n");
    assertThat(backend.read()).isEqualTo(IpvsPlannerTest.tftp(dr("10.0.0.2:69", 1)));
  }

  @Test
  void a_failing_line_in_R_is_a_failure_although_ipvsadm_exits_0() {
    assertThatThrownBy(
            () ->
                backend.apply(List.of(new IpvsCommand.AddDestination(TFTP, dr("10.0.0.2:69", 1)))))
        .isInstanceOfSatisfying(
            IpvsException.class, e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.FAILED))
        .hasMessageContaining("exit 0 but stderr: Service not defined");
  }

  @Test
  void an_ipvsadm_that_exits_2_is_a_failure_naming_the_message() {
    fake.mode("noipvs");

    assertThatThrownBy(() -> backend.read())
        .isInstanceOfSatisfying(
            IpvsException.class, e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.FAILED))
        .hasMessageContaining("exit 2");
  }

  @Test
  void a_hanging_ipvsadm_is_killed_with_its_children_and_reported_as_a_timeout() throws Exception {
    fake.mode("hang");
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> backend.apply(List.of(new IpvsCommand.AddService(TFTP_SVC))))
        .isInstanceOfSatisfying(
            IpvsException.class, e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.TIMEOUT))
        .hasMessageContaining("timed out after 1s");

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    var child = ProcessHandle.of(fake.hangPid());
    if (child.isPresent()) {
      child.get().onExit().get(5, TimeUnit.SECONDS);
    }
    assertThat(ProcessHandle.of(fake.hangPid()).filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void garbage_from_S_is_a_parse_failure_not_a_half_table() {
    fake.table("-A -f 1 -s wlc -p 45\n");
    fake.mode("garbage");

    assertThatThrownBy(() -> backend.read())
        .isInstanceOfSatisfying(
            IpvsException.class, e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.PARSE))
        .hasMessageContaining("line 1");
  }

  Path procNetIpVs() throws Exception {
    Path proc = tmp.resolve("ip_vs");
    Files.writeString(
        proc,
        "IP Virtual Server version 1.2.1 (size=4096)\nFWM  00000001 wlc persistent 4500 FFFFFFFF\n"
            + "  -> 0A000002:0045      Route   1      0          0\n");
    return proc;
  }

  @Test
  void when_the_local_ipvsadm_S_fails_a_readable_proc_net_ip_vs_is_the_fallback() throws Exception {
    IpvsadmBackend b =
        new IpvsadmBackend(
            new IpvsadmBackend.Options(
                fake.wrapper(), false, Duration.ofSeconds(5), procNetIpVs(), 100),
            new ExecRunner());
    fake.mode("garbage");

    assertThat(b.read()).isEqualTo(IpvsPlannerTest.tftp(dr("10.0.0.2:69", 1)));
  }

  /** Regression (issue 8): the host's table is not the table of the kernel ipvsadm drives. */
  @Test
  void an_explicit_ipvsadm_that_fails_is_never_replaced_by_the_hosts_proc_net_ip_vs()
      throws Exception {
    IpvsadmBackend b =
        new IpvsadmBackend(
            IpvsadmBackend.Options.explicit(fake.wrapper()).withProcNetIpVs(procNetIpVs(), 100),
            new ExecRunner());
    fake.mode("garbage");

    assertThatThrownBy(b::read)
        .isInstanceOfSatisfying(
            IpvsException.class, e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.PARSE));
  }

  /** A prefix that records its arguments and answers {@code sysctl -n} with "0" twice. */
  Path sysctlPrefix(Path log) throws Exception {
    Path p = tmp.resolve("in-director.sh");
    Files.writeString(
        p,
        "#!/bin/sh\necho \"$*\" >> '" + log + "'\n[ \"$2\" = -n ] && printf '0\\n0\\n'\nexit 0\n");
    Files.setPosixFilePermissions(
        p, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  @Test
  void with_a_command_prefix_the_sysctls_are_read_and_set_in_the_director_not_on_this_host()
      throws Exception {
    Path log = tmp.resolve("prefix.log");
    IpvsadmBackend b =
        new IpvsadmBackend(
            IpvsadmBackend.Options.explicit(fake.wrapper())
                .withCommandPrefix(List.of(sysctlPrefix(log).toString())),
            new ExecRunner());

    assertThat(b.sysctls()).contains(new VsSysctls(false, false));
    b.enableSysctls();

    assertThat(Files.readAllLines(log))
        .containsExactly(
            "sysctl -n net.ipv4.vs.expire_quiescent_template net.ipv4.vs.expire_nodest_conn",
            "sysctl -w net.ipv4.vs.expire_quiescent_template=1 net.ipv4.vs.expire_nodest_conn=1");
  }

  @Test
  void an_explicit_ipvsadm_without_a_prefix_never_touches_this_hosts_sysctls() throws Exception {
    IpvsadmBackend b =
        new IpvsadmBackend(IpvsadmBackend.Options.explicit(fake.wrapper()), new ExecRunner());

    assertThat(b.sysctls()).isEmpty();
    assertThatThrownBy(b::enableSysctls)
        .isInstanceOfSatisfying(
            IpvsException.class,
            e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.UNAVAILABLE))
        .hasMessageContaining("does not touch this host's /proc/sys/net/ipv4/vs");
  }

  @Test
  void sysctl_n_output_is_parsed_strictly() {
    assertThat(VsSysctls.parse("1\n0\n")).contains(new VsSysctls(true, false));
    assertThat(VsSysctls.parse("1\n")).isEmpty();
    assertThat(VsSysctls.parse("sysctl: cannot stat\n0\n")).isEmpty();
  }

  @Test
  void start_up_without_ipvs_fails_with_one_message_that_names_dry_run() {
    fake.mode("noipvs");

    assertThatThrownBy(
            () ->
                IpvsadmBackend.open(
                    IpvsadmBackend.Options.explicit(fake.wrapper()), new ExecRunner()))
        .isInstanceOfSatisfying(
            IpvsException.class,
            e -> assertThat(e.kind()).isEqualTo(IpvsException.Kind.UNAVAILABLE))
        .hasMessageContaining("Can't initialize ipvs: Protocol not available")
        .hasMessageContaining("--ipvs dry-run");
  }

  @Test
  void start_up_on_a_host_without_proc_net_ip_vs_fails_before_running_ipvsadm() {
    IpvsadmBackend.Options o =
        new IpvsadmBackend.Options(
            fake.wrapper(), false, Duration.ofSeconds(5), tmp.resolve("missing"), 250);

    assertThatThrownBy(() -> IpvsadmBackend.open(o, new ExecRunner()))
        .hasMessageContaining("does not exist")
        .hasMessageContaining("--ipvs dry-run");
    assertThat(fake.calls()).isEmpty();
  }

  @Test
  void start_up_with_a_missing_binary_fails_with_one_message_that_names_dry_run() {
    assertThatThrownBy(
            () ->
                IpvsadmBackend.open(
                    IpvsadmBackend.Options.explicit(tmp.resolve("nope")), new ExecRunner()))
        .hasMessageContaining("cannot run")
        .hasMessageContaining("--ipvs dry-run");
  }

  @Test
  void start_up_with_a_working_ipvsadm_succeeds_with_the_explicit_path_and_no_host_proc()
      throws Exception {
    assertThat(
            IpvsadmBackend.open(IpvsadmBackend.Options.explicit(fake.wrapper()), new ExecRunner())
                .name())
        .isEqualTo("ipvsadm");
  }

  @Test
  void timeouts_and_the_sync_daemon_run_ipvsadm_with_piranhas_arguments() throws Exception {
    backend.setTimeouts(IpvsTimeouts.UNCHANGED);
    backend.stopSyncDaemon(SyncDaemonRole.BACKUP);
    backend.startSyncDaemon(SyncDaemonRole.MASTER, "eth0", 1);

    assertThat(fake.calls())
        .containsExactly(
            "--set 0 0 0",
            "--stop-daemon backup",
            "--start-daemon master --mcast-interface eth0 --syncid 1");
  }
}
