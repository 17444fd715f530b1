package io.lvspulse.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.failover.FailoverStatus;
import io.lvspulse.failover.PartnerState;
import io.lvspulse.failover.Role;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.testing.MiniJson;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The director part of /status, as JSON and as the text table's header. */
class StatusRendererTest {
  private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

  private static StatusRenderer.Status status(StatusRenderer.Director director) throws Exception {
    var config = new LvsConfigParser().parse("t.cf", "serial_no = 7\nnetwork = direct\n").config();
    return new StatusRenderer.Status(
        "dev",
        "/etc/lvs.cf",
        T0,
        director,
        new StatusRenderer.IpvsInfo(
            "dry-run", true, true, Optional.empty(), Optional.empty(), List.of()),
        new MonitorSnapshot(config, List.of(), T0, T0));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> director(StatusRenderer.Status s) {
    return (Map<String, Object>) MiniJson.at(MiniJson.parse(StatusRenderer.json(s)), "director");
  }

  @Test
  void a_standalone_director_shows_failover_off_and_whether_it_programs_ipvs() throws Exception {
    var s = status(new StatusRenderer.Director.Standalone(true));

    assertThat(director(s)).containsExactly(entry("failover", "off"), entry("active", true));
    assertThat(StatusRenderer.text(s)).contains("\ndirector: failover=off active=true\n");
  }

  @Test
  void a_director_whose_failover_has_not_started_is_inactive() throws Exception {
    var s = status(new StatusRenderer.Director.Starting());

    assertThat(director(s)).containsExactly(entry("failover", "starting"), entry("active", false));
    assertThat(StatusRenderer.text(s)).contains("\ndirector: failover=starting active=false\n");
  }

  @Test
  void a_running_failover_shows_every_field_in_a_fixed_order() throws Exception {
    FailoverStatus st =
        new FailoverStatus(
            Role.BACKUP,
            "--role backup",
            true,
            Optional.of(InetAddress.getByName("192.0.2.1")),
            List.of(InetAddress.getByName("192.0.2.1")),
            PartnerState.DEAD,
            Optional.of(T0),
            "partner silent for deadtime (5000 ms)",
            Optional.of(T0.plusSeconds(5)),
            false,
            Optional.empty(),
            Optional.empty());

    var s = status(new StatusRenderer.Director.Failover(st));

    assertThat(director(s))
        .containsExactly(
            entry("failover", "on"),
            entry("role", "backup"),
            entry("role_reason", "--role backup"),
            entry("active", true),
            entry("partner", "192.0.2.1"),
            entry("partner_state", "dead"),
            entry("last_heard", "2026-11-26T00:00:00Z"),
            entry("last_transition", "partner silent for deadtime (5000 ms)"),
            entry("last_transition_at", "2026-11-26T00:00:05Z"),
            entry("authenticated", false),
            entry("local_problem", null),
            entry("partner_problem", null));
    assertThat(StatusRenderer.text(s))
        .contains(
            "\ndirector: failover=on role=backup role_reason=--role backup active=true"
                + " partner=192.0.2.1 partner_state=dead last_heard=2026-11-26T00:00:00Z"
                + " last_transition=partner silent for deadtime (5000 ms)"
                + " last_transition_at=2026-11-26T00:00:05Z authenticated=false local_problem=null"
                + " partner_problem=null\n");
  }

  /**
   * One fwmark in both families: /status keeps the two services apart (-f 1 and -f 1 -6), shows
   * each server's weight from its own family's service, and prints IPv6 addresses in RFC 5952 form.
   */
  @Test
  void a_dual_stack_cluster_shows_each_family_s_service_and_canonical_addresses() throws Exception {
    var config =
        new LvsConfigParser()
            .parse(java.nio.file.Path.of("etc/examples/tftp-dual-stack.lvs.cf"))
            .config();
    List<io.lvspulse.monitor.ServerView> views = new java.util.ArrayList<>();
    for (var v : config.virtuals()) {
      for (var rs : v.servers()) {
        views.add(
            new io.lvspulse.monitor.ServerView(
                io.lvspulse.monitor.ServerId.of(v.name(), rs.address(), rs.port()),
                v,
                rs,
                io.lvspulse.monitor.Health.UP,
                true,
                1,
                false,
                Optional.empty(),
                T0,
                Optional.empty(),
                Optional.empty(),
                0,
                0,
                "fake"));
      }
    }
    // The IPv6 service has rs1 at weight 0, the IPv4 one at 1: each row must show its own.
    var desired = io.lvspulse.ipvs.IpvsTable.builder();
    for (var v : config.virtuals()) {
      var svc = io.lvspulse.director.ConfigTables.service(v);
      desired.service(svc);
      for (var rs : v.servers()) {
        boolean v6rs1 = v.name().equals("tftp6") && rs.name().equals("rs1");
        desired.destination(
            svc.key(),
            io.lvspulse.director.ConfigTables.destination(
                v, rs, config.global().network(), v6rs1 ? 0 : 1));
      }
    }
    var s =
        new StatusRenderer.Status(
            "dev",
            "/etc/lvs.cf",
            T0,
            new StatusRenderer.Director.Standalone(true),
            new StatusRenderer.IpvsInfo(
                "dry-run", true, true, Optional.of(desired.build()), Optional.empty(), List.of()),
            new MonitorSnapshot(config, views, T0, T0));
    String json = StatusRenderer.json(s);
    Object root = MiniJson.parse(json);
    assertThat(MiniJson.at(root, "virtuals", 0, "service")).isEqualTo("-f 1");
    assertThat(MiniJson.at(root, "virtuals", 1, "service")).isEqualTo("-f 1 -6");
    assertThat(MiniJson.at(root, "virtuals", 1, "vip")).isEqualTo("2001:db8::10");
    assertThat(MiniJson.at(root, "virtuals", 0, "servers", 0, "ipvs_weight")).isEqualTo(1L);
    assertThat(MiniJson.at(root, "virtuals", 1, "servers", 0, "ipvs_weight")).isEqualTo(0L);
    assertThat(json).contains("\"2001:db8:1::2\"").doesNotContain("0:0:0");
    assertThat(StatusRenderer.text(s)).contains("[2001:db8:1::2]:69").doesNotContain("0:0:0");
  }
}
