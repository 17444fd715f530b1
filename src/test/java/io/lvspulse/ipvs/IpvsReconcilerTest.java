package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsCommandTest.sa;
import static io.lvspulse.ipvs.IpvsPlannerTest.OTHER;
import static io.lvspulse.ipvs.IpvsPlannerTest.TFTP;
import static io.lvspulse.ipvs.IpvsPlannerTest.dr;
import static io.lvspulse.ipvs.IpvsPlannerTest.tftp;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciler with an in-memory double that fails on demand. */
class IpvsReconcilerTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<Duration> sleeps = new ArrayList<>();
  final FlakyBackend backend = new FlakyBackend();
  final IpvsReconciler reconciler =
      new IpvsReconciler(
          backend,
          registry,
          new IpvsReconciler.RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)),
          sleeps::add);

  /** A dry-run table whose calls fail while failures are queued. */
  static final class FlakyBackend implements IpvsBackend {
    final DryRunBackend table = new DryRunBackend();
    final Deque<IpvsException> failReads = new ArrayDeque<>();
    final Deque<IpvsException> failApplies = new ArrayDeque<>();
    final List<List<IpvsCommand>> batches = new ArrayList<>();

    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public IpvsTable read() throws IpvsException {
      if (!failReads.isEmpty()) {
        throw failReads.pop();
      }
      return table.read();
    }

    @Override
    public void apply(List<IpvsCommand> batch) throws IpvsException {
      batches.add(batch);
      if (!failApplies.isEmpty()) {
        throw failApplies.pop();
      }
      table.apply(batch);
    }

    @Override
    public void setTimeouts(IpvsTimeouts t) {}

    @Override
    public void startSyncDaemon(SyncDaemonRole role, String iface, int syncId) {}

    @Override
    public void stopSyncDaemon(SyncDaemonRole role) {}
  }

  double count(String result) {
    return registry.get(MeteredIpvsBackend.COMMANDS).tag("result", result).counter().count();
  }

  @Test
  void a_reconcile_applies_the_plan_as_one_batch_and_verifies_it() {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));

    IpvsReconciler.Result r = reconciler.reconcile(desired, Set.of(TFTP));

    assertThat(r.converged()).isTrue();
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(backend.batches).hasSize(1);
    assertThat(backend.batches.get(0)).hasSize(3);
    assertThat(backend.table.read()).isEqualTo(desired);
    assertThat(count("ok")).isEqualTo(3); // read, apply, verify
    assertThat(registry.get(MeteredIpvsBackend.DURATION).timer().count()).isEqualTo(3);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void a_converged_table_costs_one_read_and_no_apply() {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1));
    reconciler.reconcile(desired, Set.of(TFTP));
    backend.batches.clear();

    assertThat(reconciler.reconcile().converged()).isTrue();
    assertThat(backend.batches).isEmpty();
  }

  @Test
  void failures_are_retried_with_exponential_backoff_counted_and_never_thrown() {
    backend.failReads.add(
        new IpvsException(IpvsException.Kind.FAILED, "exit 2: Can't initialize ipvs"));
    backend.failApplies.add(new IpvsException(IpvsException.Kind.TIMEOUT, "timed out after 10s"));

    IpvsReconciler.Result r = reconciler.reconcile(tftp(dr("10.0.0.2:69", 1)), Set.of(TFTP));

    assertThat(r.converged()).isTrue();
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(count("failed")).isEqualTo(1);
    assertThat(count("timeout")).isEqualTo(1);
    assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e).contains("timed out"));
  }

  @Test
  void when_every_attempt_fails_it_gives_up_for_now_and_the_next_reconcile_converges() {
    for (int i = 0; i < 3; i++) {
      backend.failReads.add(
          new IpvsException(IpvsException.Kind.FAILED, "exit 2: Can't initialize ipvs"));
    }
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1));

    IpvsReconciler.Result failed = reconciler.reconcile(desired, Set.of(TFTP));

    assertThat(failed.converged()).isFalse();
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(failed.lastError()).contains("exit 2: Can't initialize ipvs");
    assertThat(registry.get(IpvsReconciler.RECONCILES).tag("result", "failed").counter().count())
        .isEqualTo(1);

    IpvsReconciler.Result ok = reconciler.reconcile();

    assertThat(ok.converged()).isTrue();
    assertThat(backend.table.read()).isEqualTo(desired);
    assertThat(reconciler.lastResult()).contains(ok);
  }

  @Test
  void
      an_operators_manual_delete_of_a_managed_server_is_put_back_and_unmanaged_services_are_left_alone()
          throws Exception {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));
    reconciler.reconcile(desired, Set.of(TFTP));
    // the operator: ipvsadm -d -f 1 -r 10.0.0.3:69, and adds a service of their own
    backend.table.apply(
        List.of(
            new IpvsCommand.DeleteDestination(TFTP, sa("10.0.0.3:69")),
            new IpvsCommand.AddService(IpvsService.of(OTHER, "rr")),
            new IpvsCommand.AddDestination(
                OTHER, new IpvsDestination(sa("192.0.2.7:22"), ForwardingMethod.MASQ, 1))));
    IpvsTable.Entry theirs = backend.table.read().entry(OTHER).orElseThrow();

    IpvsReconciler.Result r = reconciler.reconcile();

    assertThat(r.sent())
        .extracting(IpvsCommand::line)
        .containsExactly("-a -f 1 -r 10.0.0.3:69 -g -w 1");
    assertThat(backend.table.read().only(Set.of(TFTP))).isEqualTo(desired);
    assertThat(backend.table.read().entry(OTHER)).contains(theirs);
  }

  @Test
  void the_periodic_reconcile_repairs_drift_without_being_asked() throws Exception {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 5));
    reconciler.setDesired(desired, Set.of(TFTP));
    var ses = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      var f = reconciler.schedulePeriodic(ses, Duration.ofMillis(50));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> backend.table.read().equals(desired));
      backend.table.apply(List.of(new IpvsCommand.EditDestination(TFTP, dr("10.0.0.2:69", 0))));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> backend.table.read().equals(desired));
      f.cancel(false);
    } finally {
      ses.shutdownNow();
    }
  }

  @Test
  void backoff_doubles_up_to_its_bound() {
    var p = new IpvsReconciler.RetryPolicy(10, Duration.ofMillis(500), Duration.ofSeconds(5));
    assertThat(
            List.of(
                p.backoff(1), p.backoff(2), p.backoff(3), p.backoff(4), p.backoff(5), p.backoff(9)))
        .containsExactly(
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
  }
}
