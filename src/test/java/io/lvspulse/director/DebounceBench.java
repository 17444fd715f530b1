package io.lvspulse.director;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsReconciler;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.IpvsTimeouts;
import io.lvspulse.ipvs.SyncDaemonRole;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerView;
import io.lvspulse.testing.Pause;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 9 item 11: reconciles per second of {@link IpvsController} with 500 flapping servers, and
 * the latency of a single change, without and with the debounce window. Not a test (a measurement):
 *
 * <pre>
 * mvn -q test-compile && java -cp target/classes:target/test-classes:$(mvn -q \
 *   dependency:build-classpath -Dmdep.outputFile=/dev/stdout) io.lvspulse.director.DebounceBench
 * </pre>
 *
 * <p>The backend is the dry-run table plus a fixed cost per call standing in for an ipvsadm fork (5
 * ms per read and per apply, as measured for {@code ipvsadm -S -n} on the lab guest).
 */
public final class DebounceBench {
  private static final int SERVERS = 500;
  private static final Duration RUN = Duration.ofSeconds(20);
  private static final long EXEC_NANOS = 5_000_000;

  private DebounceBench() {}

  /** DryRunBackend with the cost of a fork per call; records when each batch arrived. */
  static final class SlowBackend implements IpvsBackend {
    final DryRunBackend table = new DryRunBackend();
    final AtomicLong applies = new AtomicLong();
    volatile long lastApplyNanos;

    @Override
    public String name() {
      return "slow-dry-run";
    }

    @Override
    public IpvsTable read() throws IpvsException {
      spin();
      return table.read();
    }

    @Override
    public void apply(List<IpvsCommand> batch) throws IpvsException {
      spin();
      table.apply(batch);
      applies.incrementAndGet();
      lastApplyNanos = System.nanoTime();
    }

    private static void spin() {
      try {
        Pause.pace(Duration.ofNanos(EXEC_NANOS), "a simulated ipvsadm run");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void setTimeouts(IpvsTimeouts t) {}

    @Override
    public void startSyncDaemon(SyncDaemonRole r, String i, int id) {}

    @Override
    public void stopSyncDaemon(SyncDaemonRole r) {}
  }

  public static void main(String[] args) throws Exception {
    StringBuilder cf = new StringBuilder("network = direct\nvirtual tftp {\n active = 1\n");
    cf.append(" address = 203.0.113.10 eth0:1\n fwmark = 1\n port = 69\n protocol = udp\n");
    cf.append(" quiesce_server = 1\n send_program = \"/bin/true %h\"\n");
    for (int i = 0; i < SERVERS; i++) {
      cf.append(" server s").append(i).append(" {\n  address = 10.1.");
      cf.append(i / 250).append('.').append(i % 250 + 1).append("\n  active = 1\n }\n");
    }
    LvsConfig config =
        new LvsConfigParser().parse("bench.cf", cf.append("}\n").toString()).config();
    for (Duration window : List.of(Duration.ZERO, IpvsController.DEFAULT_DEBOUNCE)) {
      run(config, window);
    }
  }

  private static void run(LvsConfig config, Duration window) throws Exception {
    SlowBackend b = new SlowBackend();
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    IpvsReconciler r =
        new IpvsReconciler(
            b,
            reg,
            IpvsReconciler.RetryPolicy.DEFAULT,
            d -> Pause.pace(Duration.ofMillis(1), "a short retry back-off"));
    try (IpvsController c = new IpvsController(r, Duration.ofSeconds(30), true, window)) {
      c.start();
      VirtualService v = config.virtuals().get(0);
      boolean[] up = new boolean[SERVERS];
      Arrays.fill(up, true);
      c.accept(snapshot(config, v, up));
      c.awaitConverged(Duration.ofSeconds(10));
      // 1. flapping: every server flips on average every 6 s (83 changes/s, as 500 flapping
      // servers with a 6 s probe interval); one snapshot per change, as the monitor publishes
      Random rnd = new Random(9);
      long before = b.applies.get();
      double reconcilesBefore = reconciles(reg);
      long end = System.nanoTime() + RUN.toNanos();
      int changes = 0;
      while (System.nanoTime() < end) {
        int i = rnd.nextInt(SERVERS);
        up[i] = !up[i];
        c.accept(snapshot(config, v, up));
        changes++;
        Pause.pace(Duration.ofMillis(12), "83 changes/s, the flapping rate measured");
      }
      c.awaitConverged(Duration.ofSeconds(10));
      double reconcileCount = reconciles(reg) - reconcilesBefore;
      // 2. a single change after a quiet second: time until its batch is applied
      List<Double> latencies = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        Pause.pace(Duration.ofSeconds(1), "a quiet second before a single change");
        up[k] = !up[k];
        long t0 = System.nanoTime();
        long seen = b.applies.get();
        c.accept(snapshot(config, v, up));
        while (b.applies.get() == seen) {
          Thread.onSpinWait();
        }
        latencies.add((b.lastApplyNanos - t0) / 1e6);
      }
      latencies.sort(null);
      System.out.printf(
          Locale.ROOT,
          "window %4d ms: %d changes in %d s -> %.1f reconciles/s (%d batches applied);"
              + " single change applied after median %.1f ms, max %.1f ms (20 runs)%n",
          window.toMillis(),
          changes,
          RUN.toSeconds(),
          reconcileCount / RUN.toSeconds(),
          b.applies.get() - before - 20,
          latencies.get(latencies.size() / 2),
          latencies.get(latencies.size() - 1));
    }
  }

  private static double reconciles(SimpleMeterRegistry reg) {
    return reg.find(IpvsReconciler.RECONCILES).counters().stream()
        .mapToDouble(x -> x.count())
        .sum();
  }

  private static MonitorSnapshot snapshot(LvsConfig c, VirtualService v, boolean[] up) {
    List<ServerView> views = new ArrayList<>(SERVERS);
    List<RealServer> servers = v.servers();
    for (int i = 0; i < SERVERS; i++) {
      views.add(
          DesiredTablesTest.view(
              v,
              servers.get(i),
              up[i] ? Health.UP : Health.DOWN,
              true,
              up[i] ? 1 : 0,
              true,
              false));
    }
    return new MonitorSnapshot(c, views, DesiredTablesTest.T0, DesiredTablesTest.T0);
  }
}
