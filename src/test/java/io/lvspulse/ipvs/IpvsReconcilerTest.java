package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsCommandTest.sa;
import static io.lvspulse.ipvs.IpvsPlannerTest.OTHER;
import static io.lvspulse.ipvs.IpvsPlannerTest.TFTP;
import static io.lvspulse.ipvs.IpvsPlannerTest.dr;
import static io.lvspulse.ipvs.IpvsPlannerTest.tftp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The reconciler against a dry-run table wrapped in a Mockito spy: failures are scripted with
 * {@code doThrow(...).doCallRealMethod()}, and the calls it made are verified.
 */
class IpvsReconcilerTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<Duration> sleeps = new ArrayList<>();
  final DryRunBackend backend = spy(new DryRunBackend());
  final IpvsReconciler reconciler =
      new IpvsReconciler(
          backend,
          registry,
          new IpvsReconciler.RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)),
          sleeps::add);

  @SuppressWarnings("unchecked")
  private static ArgumentCaptor<List<IpvsCommand>> batchCaptor() {
    return ArgumentCaptor.forClass((Class<List<IpvsCommand>>) (Class<?>) List.class);
  }

  double count(String result) {
    return registry.get(MeteredIpvsBackend.COMMANDS).tag("result", result).counter().count();
  }

  @Test
  void a_reconcile_applies_the_plan_as_one_batch_and_verifies_it() throws Exception {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));

    IpvsReconciler.Result r = reconciler.reconcile(desired, Set.of(TFTP));

    assertThat(r.converged()).isTrue();
    assertThat(r.attempts()).isEqualTo(1);
    ArgumentCaptor<List<IpvsCommand>> batch = batchCaptor();
    verify(backend).apply(batch.capture());
    assertThat(batch.getValue()).hasSize(3);
    verify(backend, times(2)).read(); // before and after (verify)
    assertThat(backend.read()).isEqualTo(desired);
    assertThat(count("ok")).isEqualTo(3); // read, apply, verify
    assertThat(registry.get(MeteredIpvsBackend.DURATION).timer().count()).isEqualTo(3);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void a_backend_already_metered_in_the_registry_is_counted_once_per_call() throws Exception {
    // Regression: the daemon hands the reconciler a metered backend; wrapping it again counted
    // every ipvsadm call twice in lvs_pulse_ipvsadm_commands_total.
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    IpvsReconciler twice =
        new IpvsReconciler(
            new MeteredIpvsBackend(new DryRunBackend(), r),
            r,
            IpvsReconciler.RetryPolicy.DEFAULT,
            sleeps::add);

    assertThat(twice.reconcile(tftp(dr("10.0.0.2:69", 1)), Set.of(TFTP)).converged()).isTrue();

    assertThat(r.get(MeteredIpvsBackend.COMMANDS).tag("result", "ok").counter().count())
        .isEqualTo(3); // read, apply, verify
    assertThat(r.get(MeteredIpvsBackend.DURATION).timer().count()).isEqualTo(3);
  }

  @Test
  void a_converged_table_costs_one_read_and_no_apply() throws Exception {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1));
    reconciler.reconcile(desired, Set.of(TFTP));
    clearInvocations(backend);

    assertThat(reconciler.reconcile().converged()).isTrue();
    verify(backend).read();
    verify(backend, never()).apply(anyList());
  }

  @Test
  void failures_are_retried_with_exponential_backoff_counted_and_never_thrown() throws Exception {
    doThrow(new IpvsException(IpvsException.Kind.FAILED, "exit 2: Can't initialize ipvs"))
        .doCallRealMethod()
        .when(backend)
        .read();
    doThrow(new IpvsException(IpvsException.Kind.TIMEOUT, "timed out after 10s"))
        .doCallRealMethod()
        .when(backend)
        .apply(anyList());

    IpvsReconciler.Result r = reconciler.reconcile(tftp(dr("10.0.0.2:69", 1)), Set.of(TFTP));

    assertThat(r.converged()).isTrue();
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(count("failed")).isEqualTo(1);
    assertThat(count("timeout")).isEqualTo(1);
    assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e).contains("timed out"));
  }

  @Test
  void when_every_attempt_fails_it_gives_up_for_now_and_the_next_reconcile_converges()
      throws Exception {
    IpvsException noIpvs =
        new IpvsException(IpvsException.Kind.FAILED, "exit 2: Can't initialize ipvs");
    doThrow(noIpvs, noIpvs, noIpvs).doCallRealMethod().when(backend).read();
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1));

    IpvsReconciler.Result failed = reconciler.reconcile(desired, Set.of(TFTP));

    assertThat(failed.converged()).isFalse();
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(failed.lastError()).contains("exit 2: Can't initialize ipvs");
    assertThat(registry.get(IpvsReconciler.RECONCILES).tag("result", "failed").counter().count())
        .isEqualTo(1);

    IpvsReconciler.Result ok = reconciler.reconcile();

    assertThat(ok.converged()).isTrue();
    verify(backend, times(1)).apply(anyList()); // nothing was applied while reads failed
    assertThat(backend.read()).isEqualTo(desired);
    assertThat(reconciler.lastResult()).contains(ok);
  }

  @Test
  void
      an_operators_manual_delete_of_a_managed_server_is_put_back_and_unmanaged_services_are_left_alone()
          throws Exception {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));
    reconciler.reconcile(desired, Set.of(TFTP));
    // the operator: ipvsadm -d -f 1 -r 10.0.0.3:69, and adds a service of their own
    backend.apply(
        List.of(
            new IpvsCommand.DeleteDestination(TFTP, sa("10.0.0.3:69")),
            new IpvsCommand.AddService(IpvsService.of(OTHER, "rr")),
            new IpvsCommand.AddDestination(
                OTHER, new IpvsDestination(sa("192.0.2.7:22"), ForwardingMethod.MASQ, 1))));
    IpvsTable.Entry theirs = backend.read().entry(OTHER).orElseThrow();

    IpvsReconciler.Result r = reconciler.reconcile();

    assertThat(r.sent())
        .extracting(IpvsCommand::line)
        .containsExactly("-a -f 1 -r 10.0.0.3:69 -g -w 1");
    assertThat(backend.read().only(Set.of(TFTP))).isEqualTo(desired);
    assertThat(backend.read().entry(OTHER)).contains(theirs);
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
          .until(() -> backend.read().equals(desired));
      backend.apply(List.of(new IpvsCommand.EditDestination(TFTP, dr("10.0.0.2:69", 0))));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> backend.read().equals(desired));
      f.cancel(false);
    } finally {
      ses.shutdownNow();
    }
  }

  @Test
  void backoff_doubles_up_to_its_bound() throws Exception {
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
