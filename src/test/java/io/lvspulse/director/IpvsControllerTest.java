package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsReconciler;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.IpvsTimeouts;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.ipvs.SyncDaemonRole;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.testing.Pause;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

  /**
   * A DryRunBackend whose read hangs (as an ipvsadm stuck in the kernel) while {@link #hang} is
   * armed, until {@link #release}; it records every batch applied.
   */
  private static final class HangingBackend implements IpvsBackend {
    final DryRunBackend table = new DryRunBackend();
    final List<List<String>> applied = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate = new CountDownLatch(0);
    final CountDownLatch hung = new CountDownLatch(1);

    void hang() {
      gate = new CountDownLatch(1);
    }

    void release() {
      gate.countDown();
    }

    @Override
    public String name() {
      return "hanging";
    }

    @Override
    public IpvsTable read() throws IpvsException {
      CountDownLatch g = gate;
      if (g.getCount() > 0) {
        hung.countDown();
        try {
          g.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return table.read();
    }

    @Override
    public void apply(List<IpvsCommand> batch) throws IpvsException {
      applied.add(batch.stream().map(IpvsCommand::line).toList());
      table.apply(batch);
    }

    @Override
    public void setTimeouts(IpvsTimeouts timeouts) {}

    @Override
    public void startSyncDaemon(SyncDaemonRole role, String multicastInterface, int syncId) {}

    @Override
    public void stopSyncDaemon(SyncDaemonRole role) {}
  }

  private static IpvsReconciler reconciler(IpvsBackend b) {
    return new IpvsReconciler(
        b,
        new SimpleMeterRegistry(),
        new IpvsReconciler.RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)),
        d -> {});
  }

  /** An active controller with the default debounce. */
  private IpvsController controller(IpvsBackend b) {
    controller = new IpvsController(reconciler(b), Duration.ofSeconds(30), true);
    controller.start();
    return controller;
  }

  private static MonitorSnapshot weighted(LvsConfig c, int weight) {
    VirtualService v = c.virtuals().get(0);
    return new MonitorSnapshot(
        c,
        List.of(
            DesiredTablesTest.view(
                v,
                v.servers().get(0),
                weight > 0 ? Health.UP : Health.DOWN,
                true,
                weight,
                true,
                false)),
        DesiredTablesTest.T0,
        DesiredTablesTest.T0);
  }

  /**
   * Issue 9 item 4: a hung ipvsadm held the reconciler's monitor; /status asked converged(), which
   * waited for it while holding the controller's lock, and the monitor thread then blocked in
   * accept(): probe counters froze.
   */
  @Test
  void a_hung_ipvsadm_never_blocks_status_readers_or_the_monitor() throws Exception {
    HangingBackend b = new HangingBackend();
    LvsConfig c = DesiredTablesTest.config(" quiesce_server = 1\n");
    controller(b).accept(weighted(c, 5));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    b.hang();
    controller.accept(weighted(c, 0));
    assertThat(b.hung.await(5, TimeUnit.SECONDS))
        .as("the reconcile reached the hung read")
        .isTrue();
    try {
      assertTimeoutPreemptively(
          Duration.ofSeconds(2),
          () -> {
            assertThat(controller.converged()).isFalse();
            assertThat(controller.lastResult()).isPresent();
            assertThat(controller.desired()).isPresent();
            controller.accept(weighted(c, 5)); // the monitor's publish
            controller.accept(weighted(c, 3));
          },
          "a /status reader or the monitor waited on the hung ipvsadm");
    } finally {
      b.release();
    }
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
  }

  /**
   * Issue 9 item 4: after a hung ipvsadm recovered, the hung pass applied its own (stale) desired
   * table: a server was set to weight 0 13 s after it was back. Only the newest plan is applied.
   */
  @Test
  void a_plan_superseded_while_ipvsadm_hung_is_never_applied() throws Exception {
    HangingBackend b = new HangingBackend();
    LvsConfig c = DesiredTablesTest.config(" quiesce_server = 1\n");
    controller(b).accept(weighted(c, 5));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    b.applied.clear();
    b.hang();
    controller.accept(weighted(c, 0)); // the server fails: weight 0 ...
    assertThat(b.hung.await(5, TimeUnit.SECONDS)).isTrue();
    controller.accept(weighted(c, 5)); // ... and is back while ipvsadm hangs
    b.release();

    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(b.applied).as("nothing to do: the newest table is what the kernel has").isEmpty();
    assertThat(b.read().toSaveLines()).contains("-a -f 1 -r 10.0.0.2:0 -g -w 5");
  }

  /**
   * Issue 9 item 11: under flapping, changes within the debounce window coalesce into one
   * reconcile; the first change after a quiet period is applied at once (no window to wait out).
   */
  @Test
  void changes_within_the_debounce_window_coalesce_into_one_reconcile() throws Exception {
    HangingBackend b = new HangingBackend();
    LvsConfig c = DesiredTablesTest.config(" quiesce_server = 1\n");
    controller =
        new IpvsController(reconciler(b), Duration.ofSeconds(30), true, Duration.ofMillis(500));
    controller.start();
    controller.accept(weighted(c, 5));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    Pause.pace(Duration.ofMillis(600), "a quiet period longer than the 500 ms debounce window");
    b.applied.clear();
    controller.accept(weighted(c, 4)); // applied at once ...
    await().atMost(Duration.ofMillis(400)).until(() -> b.applied.size() == 1);
    for (int w = 3; w >= 0; w--) {
      controller.accept(weighted(c, w)); // ... these, within the window, in one reconcile
      Pause.pace(Duration.ofMillis(20), "changes 20 ms apart, all within one debounce window");
    }
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(b.applied)
        .containsExactly(
            List.of("-e -f 1 -r 10.0.0.2:0 -g -w 4"), List.of("-e -f 1 -r 10.0.0.2:0 -g -w 0"));
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
  void an_active_controller_programs_the_desired_table() throws Exception {
    controller(true).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(backend.read().toSaveLines())
        .containsExactly("-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.2:0 -g -w 5");
  }

  @Test
  void an_inactive_director_programs_nothing_until_it_becomes_active() throws Exception {
    controller(false).accept(up(DesiredTablesTest.config("")));
    awaitPasses(2); // the worker woke up (periodic pass) and chose not to program
    assertThat(backend.read().serviceCount()).isZero();
    controller.setActive(true);
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    assertThat(backend.read().destinationCount()).isEqualTo(1);
  }

  @Test
  void services_not_managed_by_lvs_pulse_are_never_touched_and_drift_is_repaired()
      throws Exception {
    backend.apply(List.of(new IpvsCommand.AddService(IpvsService.of(ServiceKey.fwmark(77), "rr"))));
    controller(true).accept(up(DesiredTablesTest.config("")));
    await().atMost(Duration.ofSeconds(5)).until(controller::converged);
    // An operator deletes a managed server by hand: the periodic reconcile puts it back.
    IpvsService svc = IpvsService.of(ServiceKey.fwmark(1), "wlc");
    backend.apply(
        List.of(
            new IpvsCommand.DeleteDestination(
                svc.key(), new java.net.InetSocketAddress("10.0.0.2", 0))));
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.read().destinationCount() == 1);
    assertThat(backend.read().keys()).contains(ServiceKey.fwmark(77));
  }

  @Test
  void a_virtual_service_removed_from_the_config_is_deleted_once_then_forgotten() throws Exception {
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
  void withdraw_deletes_every_managed_service_and_stops_programming() throws Exception {
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
    controller = new IpvsController(r, Duration.ofMillis(100), active);
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
