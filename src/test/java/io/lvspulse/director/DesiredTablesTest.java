package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.monitor.ServerView;
import io.lvspulse.probe.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DesiredTablesTest {
  static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

  static LvsConfig config(String virtualExtra) throws Exception {
    return new LvsConfigParser()
        .parse(
            "t.cf",
            "network = direct\nvirtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n fwmark = 1\n"
                + " port = 69\n protocol = udp\n timeout = 6\n send_program = \"/bin/true %h\"\n"
                + virtualExtra
                + " server a {\n  address = 10.0.0.2\n  active = 1\n  weight = 5\n }\n"
                + " server b {\n  address = 10.0.0.3\n  active = 1\n }\n}\n")
        .config();
  }

  static ServerView view(
      VirtualService v,
      RealServer rs,
      Health h,
      boolean in,
      int w,
      boolean probed,
      boolean draining) {
    return new ServerView(
        ServerId.of(v.name(), rs.address(), rs.port()),
        v,
        rs,
        h,
        in,
        w,
        draining,
        draining ? Optional.of(T0.plusSeconds(30)) : Optional.empty(),
        T0,
        probed ? Optional.of(ProbeResult.ok("ok", Duration.ofMillis(1))) : Optional.empty(),
        probed ? Optional.of(T0) : Optional.empty(),
        0,
        0,
        "fake");
  }

  @Test
  void up_servers_are_destinations_at_their_weight_and_quiesced_ones_at_zero() throws Exception {
    LvsConfig c = config(" quiesce_server = 1\n");
    VirtualService v = c.virtuals().get(0);
    var snap =
        new MonitorSnapshot(
            c,
            List.of(
                view(v, v.servers().get(0), Health.UP, true, 3, true, false),
                view(v, v.servers().get(1), Health.DOWN, true, 0, true, false)),
            T0,
            T0);
    IpvsTable t = DesiredTables.build(snap).table();
    assertThat(t.toSaveLines())
        .containsExactly(
            "-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.2:0 -g -w 3", "-a -f 1 -r 10.0.0.3:0 -g -w 0");
  }

  @Test
  void a_pair_mode_mh_virtual_re_hashes_the_clients_of_a_quiesced_server() throws Exception {
    assertThat(ConfigTables.service(config(" scheduler = mh\n").virtuals().get(0)).schedulerFlags())
        .contains("mh-fallback");
    assertThat(
            ConfigTables.service(config(" scheduler = mh\n mh_port = 1\n").virtuals().get(0))
                .schedulerFlags())
        .contains("mh-fallback,mh-port");
    assertThat(ConfigTables.service(config("").virtuals().get(0)).schedulerFlags()).isEmpty();
  }

  @Test
  void the_service_exists_even_before_any_server_is_healthy() throws Exception {
    LvsConfig c = config("");
    VirtualService v = c.virtuals().get(0);
    var snap =
        new MonitorSnapshot(
            c,
            List.of(view(v, v.servers().get(0), Health.UNKNOWN, false, 0, false, false)),
            T0,
            T0);
    assertThat(DesiredTables.build(snap).table().toSaveLines()).containsExactly("-A -f 1 -s wlc");
  }

  @Test
  void
      the_sorry_server_serves_at_weight_one_when_every_probed_server_is_down_and_leaves_when_one_is_up()
          throws Exception {
    LvsConfig c = config(" sorry_server = 10.0.0.99\n");
    VirtualService v = c.virtuals().get(0);
    var allDown =
        new MonitorSnapshot(
            c,
            List.of(
                view(v, v.servers().get(0), Health.DOWN, false, 0, true, false),
                view(v, v.servers().get(1), Health.DOWN, false, 0, true, false)),
            T0,
            T0);
    DesiredTables.Desired d = DesiredTables.build(allDown);
    assertThat(d.table().toSaveLines())
        .containsExactly("-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.99:0 -g -w 1");
    assertThat(d.onSorryServer()).containsExactly("tftp");

    var oneUp =
        new MonitorSnapshot(
            c,
            List.of(
                view(v, v.servers().get(0), Health.UP, true, 5, true, false),
                view(v, v.servers().get(1), Health.DOWN, false, 0, true, false)),
            T0,
            T0);
    assertThat(DesiredTables.build(oneUp).table().toSaveLines())
        .containsExactly("-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.2:0 -g -w 5");
  }

  @Test
  void the_sorry_server_waits_for_the_first_probe_round_instead_of_flapping_at_start()
      throws Exception {
    LvsConfig c = config(" sorry_server = 10.0.0.99\n");
    VirtualService v = c.virtuals().get(0);
    List<ServerView> unprobed =
        new ArrayList<>(
            List.of(
                view(v, v.servers().get(0), Health.UNKNOWN, false, 0, false, false),
                view(v, v.servers().get(1), Health.DOWN, false, 0, true, false)));
    assertThat(
            DesiredTables.build(new MonitorSnapshot(c, unprobed, T0, T0.plusSeconds(1)))
                .onSorryServer())
        .isEmpty();
    assertThat(
            DesiredTables.build(new MonitorSnapshot(c, unprobed, T0, T0.plusSeconds(6)))
                .onSorryServer())
        .as("one interval after start the round counts as done")
        .containsExactly("tftp");
  }

  @Test
  void a_draining_server_of_a_removed_virtual_keeps_its_service_at_weight_zero() throws Exception {
    LvsConfig old = config(" persistent = 30\n");
    VirtualService v = old.virtuals().get(0);
    LvsConfig now = new LvsConfigParser().parse("n.cf", "network = direct\n").config();
    var snap =
        new MonitorSnapshot(
            now, List.of(view(v, v.servers().get(0), Health.UP, true, 0, true, true)), T0, T0);
    assertThat(DesiredTables.build(snap).table().toSaveLines())
        .containsExactly("-A -f 1 -s wlc -p 30", "-a -f 1 -r 10.0.0.2:0 -g -w 0");
  }

  /**
   * IPVS keys a fwmark service by mark and family: the dual-stack example's two virtual services
   * share mark 1 and must stay two services, each with its own real servers, through the desired
   * table, the planner's -R batch and the ipvsadm -S -n parser.
   */
  @Test
  void one_mark_in_both_families_is_two_services_from_config_to_batch_and_back() throws Exception {
    LvsConfig c =
        new LvsConfigParser()
            .parse(java.nio.file.Path.of("etc/examples/tftp-dual-stack.lvs.cf"))
            .config();
    IpvsTable want = DesiredTables.allHealthy(c, RealServer::weight);
    assertThat(want.toSaveLines())
        .containsExactly(
            "-A -f 1 -s wlc -p 45",
            "-a -f 1 -r 10.0.0.2:0 -g -w 1",
            "-a -f 1 -r 10.0.0.3:0 -g -w 1",
            "-A -f 1 -6 -s wlc -p 45 -M 64",
            "-a -f 1 -6 -r [2001:db8:1::2]:0 -g -w 1",
            "-a -f 1 -6 -r [2001:db8:1::3]:0 -g -w 1");
    var plan =
        io.lvspulse.ipvs.IpvsPlanner.plan(want, IpvsTable.EMPTY, java.util.Set.copyOf(want.keys()));
    assertThat(plan.stream().map(io.lvspulse.ipvs.IpvsCommand::line))
        .containsExactly(
            "-A -f 1 -s wlc -p 45",
            "-A -f 1 -6 -s wlc -p 45 -M 64",
            "-a -f 1 -r 10.0.0.2:0 -g -w 1",
            "-a -f 1 -r 10.0.0.3:0 -g -w 1",
            "-a -f 1 -6 -r [2001:db8:1::2]:0 -g -w 1",
            "-a -f 1 -6 -r [2001:db8:1::3]:0 -g -w 1");
    IpvsTable back =
        io.lvspulse.ipvs.IpvsadmSaveParser.parse(String.join("\n", want.toSaveLines()) + "\n");
    assertThat(back.keys())
        .containsExactly(
            io.lvspulse.ipvs.ServiceKey.fwmark(1), io.lvspulse.ipvs.ServiceKey.fwmark6(1));
    assertThat(io.lvspulse.ipvs.IpvsPlanner.plan(want, back, java.util.Set.copyOf(want.keys())))
        .isEmpty();
    // Quiescing the IPv6 rs1 is one -e on the IPv6 service; the IPv4 service is untouched.
    IpvsTable.Builder b = IpvsTable.builder();
    for (IpvsTable.Entry e : want.entries()) {
      b.service(e.service());
      for (var d : e.destinations().values()) {
        boolean v6rs1 =
            d.address().getAddress().equals(java.net.InetAddress.getByName("2001:db8:1::2"));
        b.destination(e.service().key(), v6rs1 ? d.withWeight(0) : d);
      }
    }
    assertThat(
            io.lvspulse.ipvs.IpvsPlanner.plan(b.build(), back, java.util.Set.copyOf(want.keys()))
                .stream()
                .map(io.lvspulse.ipvs.IpvsCommand::line))
        .containsExactly("-e -f 1 -6 -r [2001:db8:1::2]:0 -g -w 0");
  }
}
