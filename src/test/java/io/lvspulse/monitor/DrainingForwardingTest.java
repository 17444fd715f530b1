package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.Network;
import io.lvspulse.director.DesiredTables;
import io.lvspulse.ipvs.ForwardingMethod;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsPlanner;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 10: a server removed by a reload drains at weight 0 with the forwarding method it
 * has in IPVS. Before the fix its destination took the new file's {@code network} (Piranha's
 * default {@code nat} when the key is missing, as in a truncated file), so the drain edited a
 * direct-routing server to masquerading: {@code -e -f 1 -r 10.0.0.3:69 -m -w 0}.
 */
class DrainingForwardingTest {
  private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");
  private HealthMonitor monitor;

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  private static LvsConfig config(String network, String servers) throws Exception {
    return new LvsConfigParser()
        .parse(
            "t.cf",
            network
                + "virtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n fwmark = 1\n"
                + " port = 69\n protocol = udp\n persistent = 30\n timeout = 6\n"
                + " send_program = \"/bin/true %h\"\n"
                + servers
                + "}\n")
        .config();
  }

  private static String server(String name, String addr) {
    return " server " + name + " {\n  address = " + addr + "\n  active = 1\n }\n";
  }

  private static final class NoScheduler implements ProbeScheduler {
    @Override
    public void schedule(String name, Duration interval, Duration initialDelay, Runnable fire) {}

    @Override
    public void unschedule(String name) {}

    @Override
    public void start() {}

    @Override
    public void close() {}
  }

  @Test
  void a_server_removed_by_a_reload_that_changes_network_drains_with_its_old_forwarding()
      throws Exception {
    LvsConfig direct =
        config("network = direct\n", server("a", "10.0.0.2") + server("b", "10.0.0.3"));
    monitor = everyProbeOk();
    monitor.start(direct);
    for (String a : List.of("10.0.0.2", "10.0.0.3")) {
      monitor.fireNow(ServerId.of("tftp", InetAddress.getByName(a), 69));
    }
    monitor.awaitIdle();
    IpvsTable kernel = DesiredTables.build(monitor.snapshot()).table();
    assertThat(kernel.toSaveLines()).contains("-a -f 1 -r 10.0.0.3:0 -g -w 1");

    // The new file lost its global section: network falls back to Piranha's default, nat.
    monitor.reload(config("", server("a", "10.0.0.2")));
    MonitorSnapshot after = monitor.snapshot();
    ServerView b =
        after.servers().stream()
            .filter(v -> v.server().name().equals("b"))
            .findFirst()
            .orElseThrow();
    assertThat(b.draining()).isTrue();
    assertThat(b.drainNetwork()).contains(Network.DIRECT);

    IpvsTable desired = DesiredTables.build(after).table();
    var dest =
        desired
            .entries()
            .iterator()
            .next()
            .destinations()
            .get(new InetSocketAddress(InetAddress.getByName("10.0.0.3"), 0));
    assertThat(dest.method()).isEqualTo(ForwardingMethod.ROUTE);
    assertThat(dest.weight()).isZero();
    List<String> plan =
        IpvsPlanner.plan(desired, kernel, kernel.keys()).stream().map(IpvsCommand::line).toList();
    assertThat(plan).contains("-e -f 1 -r 10.0.0.3:0 -g -w 0");
    assertThat(plan).noneMatch(l -> l.contains("10.0.0.3") && l.contains(" -m "));
  }

  /**
   * A reload that only changes the port of a fwmark direct-routing server: the old server drains
   * and the new one is probed, but both are the kernel's {@code 10.0.0.2:0}. The configured one
   * wins; the desired table used to get the address twice and could not be built.
   */
  @Test
  void a_reload_that_only_changes_a_fwmark_direct_routing_servers_port_keeps_one_destination()
      throws Exception {
    monitor = everyProbeOk();
    monitor.start(config("network = direct\n", server("a", "10.0.0.2")));
    monitor.fireNow(ServerId.of("tftp", InetAddress.getByName("10.0.0.2"), 69));
    monitor.awaitIdle();

    monitor.reload(
        config(
            "network = direct\n",
            " server a {\n  address = 10.0.0.2\n  port = 70\n  active = 1\n }\n"));
    monitor.fireNow(ServerId.of("tftp", InetAddress.getByName("10.0.0.2"), 70));
    monitor.awaitIdle();
    MonitorSnapshot after = monitor.snapshot();
    assertThat(after.servers()).anyMatch(ServerView::draining);

    assertThat(DesiredTables.build(after).table().toSaveLines())
        .containsExactly("-A -f 1 -s wlc -p 30", "-a -f 1 -r 10.0.0.2:0 -g -w 1");
  }

  /** A monitor whose every probe answers OK at once, unscheduled, at {@code T0}. */
  private static HealthMonitor everyProbeOk() {
    return new HealthMonitor(
        (spec, rs) ->
            new ConfiguredProbe(
                "fake",
                "fake",
                () ->
                    CompletableFuture.completedFuture(ProbeResult.ok("OK", Duration.ofMillis(1)))),
        new NoScheduler(),
        InstantSource.fixed(T0),
        new SimpleMeterRegistry(),
        s -> {});
  }
}
