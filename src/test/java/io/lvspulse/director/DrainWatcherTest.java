package io.lvspulse.director;

import static io.lvspulse.director.DesiredTablesTest.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsConnections;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerView;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainWatcherTest {
  private final IpvsBackend backend = mock(IpvsBackend.class);
  private final List<String> drained = new CopyOnWriteArrayList<>();
  private final DrainWatcher watcher =
      new DrainWatcher(
          backend, Duration.ofHours(1), (id, since, why) -> drained.add(id + " " + why), false);

  @AfterEach
  void close() {
    watcher.close();
  }

  private static LvsConfig config(String protocol) throws Exception {
    return new LvsConfigParser()
        .parse(
            "t.cf",
            "network = direct\nvirtual v {\n active = 1\n address = 203.0.113.10 eth0:1\n"
                + " port = 69\n protocol = "
                + protocol
                + "\n send_program = \"/bin/true %h\"\n"
                + " server a {\n  address = 10.0.0.2\n  active = 1\n }\n}\n")
        .config();
  }

  private static MonitorSnapshot inMaintenance(LvsConfig c) {
    VirtualService v = c.virtuals().get(0);
    ServerView up = DesiredTablesTest.view(v, v.servers().get(0), Health.UP, true, 1, true, false);
    ServerView m =
        new ServerView(
                up.id(),
                up.virtual(),
                up.server(),
                up.health(),
                up.inIpvs(),
                up.weight(),
                false,
                Optional.empty(),
                T0,
                up.lastResult(),
                up.lastProbeAt(),
                1,
                0,
                "fake")
            .withAdmin(new Admin(AdminState.MAINTENANCE, T0, "test", Optional.empty()));
    return new MonitorSnapshot(c, List.of(m), T0, T0);
  }

  private static IpvsConnections counts(ServiceKey key, long active, long inactive) {
    return new IpvsConnections(
        Map.of(
            key,
            Map.of(
                new InetSocketAddress("10.0.0.2", 69),
                new IpvsConnections.Counts(active, inactive))));
  }

  @Test
  void a_tcp_server_is_drained_when_no_connection_is_active_whatever_is_closing() throws Exception {
    LvsConfig c = config("tcp");
    ServiceKey key = ConfigTables.key(c.virtuals().get(0));
    watcher.accept(inMaintenance(c));
    when(backend.connections()).thenReturn(counts(key, 2, 5));
    watcher.check();
    assertThat(drained).isEmpty();

    when(backend.connections()).thenReturn(counts(key, 0, 5));
    watcher.check();
    assertThat(drained).containsExactly("v/10.0.0.2:69 no active connection (5 closing)");
  }

  @Test
  void a_udp_server_waits_for_its_lingering_flows_to_expire() throws Exception {
    LvsConfig c = config("udp");
    ServiceKey key = ConfigTables.key(c.virtuals().get(0));
    watcher.accept(inMaintenance(c));
    when(backend.connections()).thenReturn(counts(key, 0, 3));
    watcher.check();
    assertThat(drained).as("UDP flows are all 'inactive': they still count").isEmpty();

    when(backend.connections()).thenReturn(counts(key, 0, 0));
    watcher.check();
    assertThat(drained).containsExactly("v/10.0.0.2:69 no connection entry left");
  }

  @Test
  void a_server_this_kernel_does_not_have_is_drained() throws Exception {
    watcher.accept(inMaintenance(config("udp")));
    when(backend.connections()).thenReturn(IpvsConnections.NONE);
    watcher.check();
    assertThat(drained).containsExactly("v/10.0.0.2:69 not in this kernel's table");
  }

  /**
   * Regression: a fwmark direct-routing server is RIP:0 in the kernel; looking its counters up as
   * RIP:69 (its lvs.cf port) found nothing and called it drained at once, cutting its transfers.
   */
  @Test
  void a_fwmark_direct_routing_server_is_counted_at_its_kernel_address_with_port_0()
      throws Exception {
    LvsConfig c =
        new LvsConfigParser()
            .parse(
                "t.cf",
                "network = direct\nvirtual v {\n active = 1\n address = 203.0.113.10 eth0:1\n"
                    + " fwmark = 1\n port = 69\n protocol = udp\n"
                    + " send_program = \"/bin/true %h\"\n"
                    + " server a {\n  address = 10.0.0.2\n  active = 1\n }\n}\n")
            .config();
    ServiceKey key = ConfigTables.key(c.virtuals().get(0));
    watcher.accept(inMaintenance(c));
    when(backend.connections())
        .thenReturn(
            new IpvsConnections(
                Map.of(
                    key,
                    Map.of(
                        new InetSocketAddress("10.0.0.2", 0), new IpvsConnections.Counts(0, 3)))));
    watcher.check();
    assertThat(drained).as("3 UDP flows on 10.0.0.2:0").isEmpty();

    when(backend.connections())
        .thenReturn(
            new IpvsConnections(
                Map.of(
                    key,
                    Map.of(new InetSocketAddress("10.0.0.2", 0), IpvsConnections.Counts.ZERO))));
    watcher.check();
    assertThat(drained).containsExactly("v/10.0.0.2:69 no connection entry left");
  }

  @Test
  void unreadable_counters_decide_nothing() throws Exception {
    watcher.accept(inMaintenance(config("udp")));
    when(backend.connections())
        .thenThrow(new IpvsException(IpvsException.Kind.FAILED, "ipvsadm -L -n: exit 2"));
    watcher.check();
    watcher.check();
    assertThat(drained).isEmpty();
  }

  @Test
  void a_server_is_reported_once() throws Exception {
    watcher.accept(inMaintenance(config("udp")));
    when(backend.connections()).thenReturn(IpvsConnections.NONE);
    watcher.check();
    watcher.check();
    assertThat(drained).hasSize(1);
  }

  @Test
  void without_a_server_waiting_the_kernel_is_not_asked() throws Exception {
    watcher.check();
    org.mockito.Mockito.verifyNoInteractions(backend);
  }
}
