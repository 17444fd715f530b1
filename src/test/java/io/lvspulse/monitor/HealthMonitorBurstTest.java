package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.ProbeSource;
import io.lvspulse.testing.ManualScheduler;
import io.lvspulse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Regression: every health transition used to publish its own snapshot (and desired IPVS table) on
 * the monitor loop, O(servers) each; with 10,000 servers coming up at start the loop fell minutes
 * behind, its queue of probe tasks grew without bound and /status timed out (found by {@code bench
 * daemon}). A burst of results must be published as one snapshot.
 */
class HealthMonitorBurstTest {
  private static final int SERVERS = 2000;

  private static LvsConfig config() throws Exception {
    StringBuilder b =
        new StringBuilder("serial_no = 1\nprimary = 192.0.2.1\nservice = lvs\nnetwork = direct\n");
    b.append(
            "virtual v {\n active = 1\n address = 203.0.113.10 eth0:1\n fwmark = 1\n port = 69\n protocol = udp\n")
        .append(
            " send_program = \"/usr/local/bin/check_tftp --connect %h\"\n expect = \"OK - answer from server\"\n")
        .append(" timeout = 6\n reentry = 12\n quiesce_server = 1\n");
    for (int i = 0; i < SERVERS; i++) {
      b.append(" server s")
          .append(i)
          .append(" {\n  address = 127.20.")
          .append(i / 250)
          .append('.')
          .append(1 + i % 250)
          .append("\n  active = 1\n  weight = 1\n }\n");
    }
    b.append("}\n");
    return new LvsConfigParser().parse("burst.lvs.cf", b.toString()).config();
  }

  @Test
  void a_burst_of_transitions_is_published_as_one_snapshot_not_one_per_server() throws Exception {
    ManualScheduler scheduler = new ManualScheduler(new MutableClock());
    ProbeSource ok =
        (spec, server) ->
            new ConfiguredProbe(
                "fake",
                "always ok",
                () ->
                    CompletableFuture.completedFuture(
                        ProbeResult.ok("OK - answer from server", Duration.ofMillis(1))));
    AtomicInteger published = new AtomicInteger();
    AtomicReference<MonitorSnapshot> last = new AtomicReference<>();
    try (HealthMonitor m =
        new HealthMonitor(
            ok,
            scheduler,
            InstantSource.system(),
            new SimpleMeterRegistry(),
            s -> {
              published.incrementAndGet();
              last.set(s);
            })) {
      m.start(config());
      assertThat(scheduler.fires).hasSize(SERVERS);
      await().atMost(Duration.ofSeconds(10)).until(() -> last.get() != null);
      int before = published.get();

      List.copyOf(scheduler.fires.values()).forEach(Runnable::run); // every probe fires at once

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  last.get().servers().stream().filter(v -> v.health() == Health.UP).count()
                      == SERVERS);
      m.awaitIdle();
      assertThat(published.get() - before)
          .as("snapshots published for %d transitions", SERVERS)
          .isLessThanOrEqualTo(10);
      List<ServerView> views = last.get().servers();
      assertThat(views)
          .isSortedAccordingTo((a, b) -> a.id().toString().compareTo(b.id().toString()));
    }
  }
}
