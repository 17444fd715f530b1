package io.lvspulse.director;

import static io.lvspulse.director.DesiredTablesTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.VirtualService;
import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerView;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the operator's admin state and the health rules make the desired table together. */
class DesiredTablesAdminTest {

  private static ServerView with(ServerView v, Admin a) {
    return new ServerView(
            v.id(),
            v.virtual(),
            v.server(),
            v.health(),
            v.inIpvs(),
            v.weight(),
            v.draining(),
            v.drainUntil(),
            v.since(),
            v.lastResult(),
            v.lastProbeAt(),
            v.consecutiveSuccesses(),
            v.consecutiveFailures(),
            v.probe())
        .withAdmin(a);
  }

  private static Admin admin(AdminState s, boolean drained) {
    return new Admin(s, T0, "test", drained ? Optional.of(T0) : Optional.empty());
  }

  private static List<String> table(LvsConfig c, ServerView... views) {
    return DesiredTables.build(new MonitorSnapshot(c, List.of(views), T0, T0))
        .table()
        .toSaveLines();
  }

  @Test
  void a_drained_up_server_stays_in_ipvs_at_weight_zero() throws Exception {
    LvsConfig c = DesiredTablesTest.config("");
    VirtualService v = c.virtuals().get(0);
    ServerView a =
        with(
            DesiredTablesTest.view(v, v.servers().get(0), Health.UP, true, 5, true, false),
            admin(AdminState.DRAIN, false));
    ServerView b = DesiredTablesTest.view(v, v.servers().get(1), Health.UP, true, 1, true, false);

    assertThat(table(c, a, b))
        .containsExactly(
            "-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.2:0 -g -w 0", "-a -f 1 -r 10.0.0.3:0 -g -w 1");
  }

  @Test
  void drain_never_adds_a_server_the_health_rules_keep_out() throws Exception {
    LvsConfig c = DesiredTablesTest.config("");
    VirtualService v = c.virtuals().get(0);
    ServerView a =
        with(
            DesiredTablesTest.view(v, v.servers().get(0), Health.DOWN, false, 0, true, false),
            admin(AdminState.DRAIN, false));

    assertThat(table(c, a)).containsExactly("-A -f 1 -s wlc");
  }

  @Test
  void maintenance_is_weight_zero_until_drained_then_out() throws Exception {
    LvsConfig c = DesiredTablesTest.config("");
    VirtualService v = c.virtuals().get(0);
    ServerView up = DesiredTablesTest.view(v, v.servers().get(0), Health.UP, true, 5, true, false);

    assertThat(table(c, with(up, admin(AdminState.MAINTENANCE, false))))
        .containsExactly("-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.2:0 -g -w 0");
    assertThat(table(c, with(up, admin(AdminState.MAINTENANCE, true))))
        .containsExactly("-A -f 1 -s wlc");
  }

  @Test
  void the_sorry_server_takes_over_when_every_up_server_is_drained() throws Exception {
    LvsConfig c = DesiredTablesTest.config(" sorry_server = 10.0.0.99\n");
    VirtualService v = c.virtuals().get(0);
    ServerView a =
        with(
            DesiredTablesTest.view(v, v.servers().get(0), Health.UP, true, 5, true, false),
            admin(AdminState.DRAIN, false));
    ServerView b =
        with(
            DesiredTablesTest.view(v, v.servers().get(1), Health.UP, true, 1, true, false),
            admin(AdminState.MAINTENANCE, true));

    var d = DesiredTables.build(new MonitorSnapshot(c, List.of(a, b), T0, T0));

    assertThat(d.onSorryServer()).containsExactly("tftp");
    assertThat(d.table().toSaveLines())
        .containsExactly(
            "-A -f 1 -s wlc", "-a -f 1 -r 10.0.0.2:0 -g -w 0", "-a -f 1 -r 10.0.0.99:0 -g -w 1");
  }
}
