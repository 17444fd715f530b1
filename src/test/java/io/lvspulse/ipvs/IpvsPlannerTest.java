package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsCommandTest.sa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpvsPlannerTest {
  static final ServiceKey TFTP = ServiceKey.fwmark(1);
  static final ServiceKey WEB = ServiceKey.tcp(sa("203.0.113.20:80"));
  static final ServiceKey OTHER = ServiceKey.tcp(sa("198.51.100.9:22"));
  static final IpvsService TFTP_SVC =
      IpvsService.of(TFTP, "wlc").withPersistence(Duration.ofSeconds(45));

  static IpvsDestination dr(String addr, int w) {
    return new IpvsDestination(sa(addr), ForwardingMethod.ROUTE, w);
  }

  static IpvsTable tftp(IpvsDestination... ds) {
    IpvsTable.Builder b = IpvsTable.builder().service(TFTP_SVC);
    for (IpvsDestination d : ds) {
      b.destination(TFTP, d);
    }
    return b.build();
  }

  static List<String> lines(List<IpvsCommand> cmds) {
    return cmds.stream().map(IpvsCommand::line).toList();
  }

  @Test
  void from_an_empty_kernel_services_come_before_their_real_servers() {
    IpvsTable desired = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));

    assertThat(lines(IpvsPlanner.plan(desired, IpvsTable.EMPTY, Set.of(TFTP))))
        .containsExactly(
            "-A -f 1 -s wlc -p 45",
            "-a -f 1 -r 10.0.0.2:69 -g -w 1",
            "-a -f 1 -r 10.0.0.3:69 -g -w 1");
  }

  @Test
  void an_equal_table_needs_no_command() {
    IpvsTable t = tftp(dr("10.0.0.2:69", 1));
    assertThat(IpvsPlanner.plan(t, t, Set.of(TFTP))).isEmpty();
  }

  @Test
  void a_weight_change_is_one_edit_and_a_removed_server_one_delete() {
    IpvsTable actual = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));
    IpvsTable desired = tftp(dr("10.0.0.2:69", 0));

    assertThat(lines(IpvsPlanner.plan(desired, actual, Set.of(TFTP))))
        .containsExactly("-e -f 1 -r 10.0.0.2:69 -g -w 0", "-d -f 1 -r 10.0.0.3:69");
  }

  @Test
  void a_scheduler_or_persistence_change_is_applied_with_E() {
    IpvsTable actual = tftp(dr("10.0.0.2:69", 1));
    IpvsTable desired =
        IpvsTable.builder()
            .service(IpvsService.of(TFTP, "rr"))
            .destination(TFTP, dr("10.0.0.2:69", 1))
            .build();

    assertThat(lines(IpvsPlanner.plan(desired, actual, Set.of(TFTP))))
        .containsExactly("-E -f 1 -s rr");
  }

  @Test
  void the_order_is_add_services_add_servers_edit_delete_servers_delete_services() {
    IpvsTable actual =
        tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 5)).toBuilder()
            .service(IpvsService.of(OTHER, "rr"))
            .build();
    IpvsTable desired =
        IpvsTable.builder()
            .service(IpvsService.of(WEB, "wrr"))
            .destination(WEB, new IpvsDestination(sa("192.0.2.1:80"), ForwardingMethod.MASQ, 1))
            .service(TFTP_SVC)
            .destination(TFTP, dr("10.0.0.3:69", 1))
            .destination(TFTP, dr("10.0.0.4:69", 1))
            .build();

    assertThat(lines(IpvsPlanner.plan(desired, actual, Set.of(TFTP, WEB, OTHER))))
        .containsExactly(
            "-A -t 203.0.113.20:80 -s wrr",
            "-a -t 203.0.113.20:80 -r 192.0.2.1:80 -m -w 1",
            "-a -f 1 -r 10.0.0.4:69 -g -w 1",
            "-e -f 1 -r 10.0.0.3:69 -g -w 1",
            "-d -f 1 -r 10.0.0.2:69",
            "-D -t 198.51.100.9:22");
  }

  @Test
  void services_outside_the_managed_set_are_never_touched() {
    IpvsTable actual =
        tftp(dr("10.0.0.2:69", 1)).toBuilder()
            .service(IpvsService.of(OTHER, "rr"))
            .destination(OTHER, new IpvsDestination(sa("192.0.2.7:22"), ForwardingMethod.MASQ, 1))
            .build();
    IpvsTable desired = tftp(dr("10.0.0.2:69", 2));

    List<IpvsCommand> plan = IpvsPlanner.plan(desired, actual, Set.of(TFTP));

    assertThat(lines(plan)).containsExactly("-e -f 1 -r 10.0.0.2:69 -g -w 2");
    assertThat(plan).noneMatch(c -> c.key().equals(OTHER));
  }

  @Test
  void a_desired_service_that_is_not_managed_is_a_programming_error() {
    assertThatThrownBy(() -> IpvsPlanner.plan(tftp(), IpvsTable.EMPTY, Set.of(WEB)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Regression (issue 11): a table with fwmark direct-routing servers as {@code RIP:69} (Piranha's
   * lvsd, an older lvs-pulse) must move to {@code RIP:0}, where the kernel's sync daemon binds
   * synced persistence templates. The planner used to match a desired {@code RIP:0} to the kernel's
   * {@code RIP:69} and edit it in place, so the table never moved. Each new server is added before
   * its old entry is deleted, in one batch: the service never lacks a server.
   */
  @Test
  void a_fwmark_table_with_real_server_ports_moves_to_port_0_adding_before_deleting() {
    IpvsTable actual = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 0));
    IpvsTable desired = tftp(dr("10.0.0.2:0", 1), dr("10.0.0.3:0", 0));

    List<IpvsCommand> plan = IpvsPlanner.plan(desired, actual, Set.of(TFTP));

    assertThat(lines(plan))
        .containsExactly(
            "-a -f 1 -r 10.0.0.2:0 -g -w 1",
            "-a -f 1 -r 10.0.0.3:0 -g -w 0",
            "-d -f 1 -r 10.0.0.2:69",
            "-d -f 1 -r 10.0.0.3:69");
    IpvsTable.Builder after = actual.toBuilder();
    for (IpvsCommand c : plan) {
      assertThat(after.apply(c)).as("%s", c).isNull();
    }
    assertThat(after.build()).isEqualTo(desired);
  }

  @Test
  void an_mh_fwmark_table_with_real_server_ports_moves_to_port_0_in_list_order() {
    IpvsService mh = IpvsService.of(TFTP, "mh").withSchedulerFlags("mh-fallback");
    IpvsTable actual =
        IpvsTable.builder()
            .service(mh)
            .destination(TFTP, dr("10.0.0.2:69", 1))
            .destination(TFTP, dr("10.0.0.3:69", 1))
            .build();
    IpvsTable desired =
        IpvsTable.builder()
            .service(mh)
            .destination(TFTP, dr("10.0.0.2:0", 1))
            .destination(TFTP, dr("10.0.0.3:0", 1))
            .build();

    List<IpvsCommand> plan = IpvsPlanner.plan(desired, actual, Set.of(TFTP));

    assertThat(lines(plan))
        .containsExactly(
            "-a -f 1 -r 10.0.0.3:0 -g -w 1",
            "-a -f 1 -r 10.0.0.2:0 -g -w 1",
            "-d -f 1 -r 10.0.0.2:69",
            "-d -f 1 -r 10.0.0.3:69");
    IpvsTable.Builder after = actual.toBuilder();
    plan.forEach(after::apply);
    assertThat(List.copyOf(after.build().entry(TFTP).orElseThrow().destinations().keySet()))
        .containsExactly(sa("10.0.0.2:0"), sa("10.0.0.3:0"));
  }

  @Test
  void nat_keeps_the_real_server_port() {
    IpvsDestination masq0 = new IpvsDestination(sa("10.0.0.2:0"), ForwardingMethod.MASQ, 1);
    IpvsDestination masq69 = new IpvsDestination(sa("10.0.0.2:69"), ForwardingMethod.MASQ, 1);

    assertThat(lines(IpvsPlanner.plan(tftp(masq69), tftp(masq0), Set.of(TFTP))))
        .containsExactly("-a -f 1 -r 10.0.0.2:69 -m -w 1", "-d -f 1 -r 10.0.0.2:0");
  }

  @Test
  void a_managed_service_no_longer_desired_is_deleted_with_one_D() {
    IpvsTable actual = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));

    assertThat(lines(IpvsPlanner.plan(IpvsTable.EMPTY, actual, Set.of(TFTP))))
        .containsExactly("-D -f 1");
  }

  @Test
  void a_plan_applied_to_the_actual_table_gives_the_desired_one_for_random_tables() {
    long seed = System.nanoTime();
    java.util.Random rnd = new java.util.Random(seed);
    for (int round = 0; round < 200; round++) {
      IpvsTable actual = randomTable(rnd);
      IpvsTable desired = randomTable(rnd);
      Set<ServiceKey> managed = new java.util.HashSet<>(desired.keys());
      actual.keys().stream().filter(k -> rnd.nextBoolean()).forEach(managed::add);
      IpvsTable.Builder b = actual.toBuilder();
      for (IpvsCommand c : IpvsPlanner.plan(desired, actual, managed)) {
        assertThat(b.apply(c)).as("seed %d: %s", seed, c.line()).isNull();
      }
      IpvsTable after = b.build();
      assertThat(IpvsPlanner.plan(desired, after, managed)).as("seed %d", seed).isEmpty();
      for (ServiceKey k : actual.keys()) {
        if (!managed.contains(k)) {
          assertThat(after.entry(k))
              .as("seed %d: unmanaged %s", seed, k)
              .isEqualTo(actual.entry(k));
        }
      }
    }
  }

  private static IpvsTable randomTable(java.util.Random rnd) {
    IpvsTable.Builder b = IpvsTable.builder();
    for (int s = 1; s <= 4; s++) {
      if (rnd.nextInt(3) == 0) {
        continue;
      }
      ServiceKey k =
          s % 2 == 0 ? ServiceKey.fwmark(s) : ServiceKey.udp(sa("198.51.100." + s + ":69"));
      IpvsService svc = IpvsService.of(k, rnd.nextBoolean() ? "wlc" : "rr");
      if (rnd.nextBoolean()) {
        svc = svc.withPersistence(Duration.ofSeconds(45));
      }
      b.service(svc);
      for (int r = 2; r < 6; r++) {
        if (rnd.nextBoolean()) {
          int port = k instanceof ServiceKey.Fwmark && rnd.nextBoolean() ? 0 : 69;
          ForwardingMethod m = ForwardingMethod.values()[rnd.nextInt(3)];
          try {
            b.destination(
                k, new IpvsDestination(sa("10.0.0." + r + ":" + port), m, rnd.nextInt(3)));
          } catch (IllegalArgumentException dup) {
            // same address twice: skip
          }
        }
      }
    }
    return b.build();
  }
}
