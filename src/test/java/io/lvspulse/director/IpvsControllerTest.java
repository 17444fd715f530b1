package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsReconciler;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IpvsControllerTest {
  private final DryRunBackend backend = new DryRunBackend();
  private IpvsController controller;

  private IpvsController controller(boolean active) {
    IpvsReconciler r =
        new IpvsReconciler(
            backend,
            new SimpleMeterRegistry(),
            new IpvsReconciler.RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)),
            d -> {});
    controller = new IpvsController(r, Duration.ofMillis(200), active);
    controller.start();
    return controller;
  }

  @AfterEach
  void close() {
    if (controller != null) {
      controller.close();
    }
  }

  /** Waits until the worker has woken {@code n} more times (periodic passes every 200 ms). */
  private void awaitPasses(long n) {
    long target = controller.passes() + n;
    await().atMost(Duration.ofSeconds(5)).until(() -> controller.passes() >= target);
  }

  private static MonitorSnapshot up(LvsConfig c) {
    VirtualService v = c.virtuals().get(0);
    return new MonitorSnapshot(
        c,
        List.of(DesiredTablesTest.view(v, v.servers().get(0), Health.UP, true, 5, true, false)),
        DesiredTablesTest.T0,
        DesiredTablesTest.T0);
  }

  @Test
  void anActiveControllerProgramsTheDesiredTable() throws Exception {
    controller(true).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(backend.read().toSaveLines())
        .containsExactly("-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.2:69 -g -w 5");
  }

  @Test
  void anInactiveDirectorProgramsNothingUntilItBecomesActive() throws Exception {
    controller(false).accept(up(DesiredTablesTest.config("")));
    awaitPasses(2); // the worker woke up (periodic pass) and chose not to program
    assertThat(backend.read().serviceCount()).isZero();
    controller.setActive(true);
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(backend.read().destinationCount()).isEqualTo(1);
  }

  @Test
  void servicesNotManagedByLvsPulseAreNeverTouchedAndDriftIsRepaired() throws Exception {
    backend.apply(List.of(new IpvsCommand.AddService(IpvsService.of(ServiceKey.fwmark(77), "rr"))));
    controller(true).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    // An operator deletes a managed server by hand: the periodic reconcile puts it back.
    IpvsService svc = IpvsService.of(ServiceKey.fwmark(1), "wlc");
    backend.apply(
        List.of(
            new IpvsCommand.DeleteDestination(
                svc.key(), new java.net.InetSocketAddress("10.0.0.2", 69))));
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.read().destinationCount() == 1);
    assertThat(backend.read().keys()).contains(ServiceKey.fwmark(77));
  }

  @Test
  void aVirtualServiceRemovedFromTheConfigIsDeletedOnceThenForgotten() throws Exception {
    controller(true).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    LvsConfig empty = new LvsConfigParser().parse("e.cf", "network = direct\n").config();
    controller.accept(
        new MonitorSnapshot(empty, List.of(), DesiredTablesTest.T0, DesiredTablesTest.T0));
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.read().serviceCount() == 0);
    // Re-adding fwmark 1 by hand afterwards is no longer lvs-pulse's business.
    backend.apply(List.of(new IpvsCommand.AddService(IpvsService.of(ServiceKey.fwmark(1), "rr"))));
    awaitPasses(3); // at least one periodic full reconcile ran after the manual add
    assertThat(backend.read().keys()).containsExactly(ServiceKey.fwmark(1));
  }

  @Test
  void withdrawDeletesEveryManagedServiceAndStopsProgramming() throws Exception {
    controller(true).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(controller.withdraw().converged()).isTrue();
    assertThat(backend.read().serviceCount()).isZero();
    assertThat(controller.active()).isFalse();
  }

  @Test
  void await_converged_waits_for_the_worker_to_program_the_newest_table_once_active()
      throws Exception {
    controller(false).accept(up(DesiredTablesTest.config("")));
    assertThat(controller.awaitConverged(Duration.ofMillis(300)))
        .as("inactive: nothing is programmed, so it never converges")
        .isFalse();

    controller.setActive(true);

    assertThat(controller.awaitConverged(Duration.ofSeconds(5))).isTrue();
    assertThat(controller.converged()).isTrue();
    assertThat(backend.read().destinationCount()).isEqualTo(1);
  }

  @Test
  void await_converged_after_a_new_desired_table_waits_for_that_table() throws Exception {
    controller(true).accept(up(DesiredTablesTest.config("")));
    assertThat(controller.awaitConverged(Duration.ofSeconds(5))).isTrue();

    controller.accept(up(DesiredTablesTest.config(" persistent = 30\n")));

    assertThat(controller.awaitConverged(Duration.ofSeconds(5))).isTrue();
    assertThat(backend.read().toSaveLines()).contains("-A -f 1 -s wlc -p 30");
  }

  /** A backend whose ipvsadm fails while {@code failing} is set. */
  private static final class FlakyBackend implements io.lvspulse.ipvs.IpvsBackend {
    final DryRunBackend inner = new DryRunBackend();
    volatile boolean failing;

    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public io.lvspulse.ipvs.IpvsTable read() throws io.lvspulse.ipvs.IpvsException {
      check();
      return inner.read();
    }

    @Override
    public void apply(List<IpvsCommand> batch) throws io.lvspulse.ipvs.IpvsException {
      check();
      inner.apply(batch);
    }

    @Override
    public void setTimeouts(io.lvspulse.ipvs.IpvsTimeouts t) {}

    @Override
    public void startSyncDaemon(io.lvspulse.ipvs.SyncDaemonRole r, String i, int id) {}

    @Override
    public void stopSyncDaemon(io.lvspulse.ipvs.SyncDaemonRole r) {}

    private void check() throws io.lvspulse.ipvs.IpvsException {
      if (failing) {
        throw new io.lvspulse.ipvs.IpvsException(
            io.lvspulse.ipvs.IpvsException.Kind.FAILED, "ipvsadm: exit 1: Permission denied");
      }
    }
  }

  private IpvsController flaky(FlakyBackend b, boolean active) {
    IpvsReconciler r =
        new IpvsReconciler(
            b,
            new SimpleMeterRegistry(),
            new IpvsReconciler.RetryPolicy(1, Duration.ZERO, Duration.ZERO),
            d -> {});
    controller = new IpvsController(r, Duration.ofMillis(100), active, 3);
    controller.start();
    return controller;
  }

  @Test
  void an_active_director_whose_ipvs_fails_three_periods_in_a_row_reports_a_local_problem()
      throws Exception {
    FlakyBackend b = new FlakyBackend();
    flaky(b, true).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(controller.localProblem()).isEmpty();

    b.failing = true;
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.localProblem().isPresent());
    assertThat(controller.localProblem().get())
        .startsWith("IPVS cannot be programmed: 3 reconcile periods failed in a row")
        .contains("Permission denied");

    b.failing = false;
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.localProblem().isEmpty());
  }

  @Test
  void an_inactive_director_checks_that_its_ipvs_answers() throws Exception {
    FlakyBackend b = new FlakyBackend();
    b.failing = true;
    flaky(b, false).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.localProblem().isPresent());
    b.failing = false;
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.localProblem().isEmpty());
    assertThat(b.inner.read().serviceCount()).as("nothing programmed while inactive").isZero();
  }
}
