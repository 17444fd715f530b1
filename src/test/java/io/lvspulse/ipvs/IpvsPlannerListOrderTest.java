package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsPlannerTest.dr;
import static io.lvspulse.ipvs.IpvsPlannerTest.lines;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner keeps an {@code mh} service's real servers in the kernel's list exactly in the
 * desired order (ip_vs_mh.c builds its table from the list in list order), knowing that the kernel
 * adds at the head of the list.
 */
class IpvsPlannerListOrderTest {
  static final ServiceKey TFTP = ServiceKey.fwmark(1);
  static final IpvsService MH = IpvsService.of(TFTP, "mh").withSchedulerFlags("mh-fallback");

  /** An mh table whose list (head first) is {@code ds}, each with add weight 5. */
  static IpvsTable mh(IpvsDestination... ds) {
    IpvsTable.Builder b = IpvsTable.builder().service(MH);
    for (IpvsDestination d : ds) {
      b.destination(TFTP, d, 5);
    }
    return b.build();
  }

  /** Applies {@code plan} to {@code actual} as the kernel would. */
  static IpvsTable apply(IpvsTable actual, List<IpvsCommand> plan) {
    IpvsTable.Builder b = actual.toBuilder();
    for (IpvsCommand c : plan) {
      assertThat(b.apply(c)).as(c.line()).isNull();
    }
    return b.build();
  }

  static List<String> order(IpvsTable t) {
    return t.entry(TFTP).orElseThrow().destinations().values().stream()
        .map(d -> d.address() + " w" + d.weight())
        .toList();
  }

  @Test
  void a_new_mh_service_adds_its_real_servers_last_first_so_the_kernels_list_is_in_order() {
    IpvsTable desired = mh(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1), dr("10.0.0.4:69", 1));
    List<IpvsCommand> plan = IpvsPlanner.plan(desired, IpvsTable.EMPTY, Set.of(TFTP));
    assertThat(lines(plan))
        .containsExactly(
            "-A -f 1 -s mh -b mh-fallback",
            "-a -f 1 -r 10.0.0.4:69 -g -w 1",
            "-a -f 1 -r 10.0.0.3:69 -g -w 1",
            "-a -f 1 -r 10.0.0.2:69 -g -w 1");
    assertThat(order(apply(IpvsTable.EMPTY, plan))).isEqualTo(order(desired));
  }

  @Test
  void a_real_server_wanted_at_weight_0_is_added_at_its_add_weight_then_quiesced() {
    IpvsTable desired = mh(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 0));
    assertThat(lines(IpvsPlanner.plan(desired, IpvsTable.EMPTY, Set.of(TFTP))))
        .containsExactly(
            "-A -f 1 -s mh -b mh-fallback",
            "-a -f 1 -r 10.0.0.3:69 -g -w 5",
            "-e -f 1 -r 10.0.0.3:69 -g -w 0",
            "-a -f 1 -r 10.0.0.2:69 -g -w 1");
  }

  @Test
  void a_weight_change_is_an_edit_in_place() {
    IpvsTable actual = mh(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));
    IpvsTable desired = mh(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 0));
    assertThat(lines(IpvsPlanner.plan(desired, actual, Set.of(TFTP))))
        .containsExactly("-e -f 1 -r 10.0.0.3:69 -g -w 0");
  }

  @Test
  void a_real_server_missing_from_the_middle_is_put_back_in_its_place_leaving_the_tail_alone() {
    // An operator's `ipvsadm -d` of .3; the planner must not just add it at the head.
    IpvsTable actual = mh(dr("10.0.0.2:69", 1), dr("10.0.0.4:69", 1), dr("10.0.0.5:69", 1));
    IpvsTable desired =
        mh(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1), dr("10.0.0.4:69", 1), dr("10.0.0.5:69", 1));
    List<IpvsCommand> plan = IpvsPlanner.plan(desired, actual, Set.of(TFTP));
    assertThat(lines(plan))
        .containsExactly(
            "-d -f 1 -r 10.0.0.2:69",
            "-a -f 1 -r 10.0.0.3:69 -g -w 1",
            "-a -f 1 -r 10.0.0.2:69 -g -w 1");
    assertThat(order(apply(actual, plan))).isEqualTo(order(desired));
  }

  @Test
  void a_real_server_re_added_by_hand_at_the_head_is_moved_back() {
    IpvsTable actual = mh(dr("10.0.0.4:69", 1), dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));
    IpvsTable desired = mh(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1), dr("10.0.0.4:69", 1));
    List<IpvsCommand> plan = IpvsPlanner.plan(desired, actual, Set.of(TFTP));
    assertThat(order(apply(actual, plan))).isEqualTo(order(desired));
    assertThat(IpvsPlanner.plan(desired, apply(actual, plan), Set.of(TFTP))).isEmpty();
  }

  @Test
  void a_wlc_service_in_another_order_is_left_alone() {
    IpvsService wlc = IpvsService.of(TFTP, "wlc");
    IpvsTable actual =
        IpvsTable.builder()
            .service(wlc)
            .destination(TFTP, dr("10.0.0.3:69", 1))
            .destination(TFTP, dr("10.0.0.2:69", 1))
            .build();
    IpvsTable desired =
        IpvsTable.builder()
            .service(wlc)
            .destination(TFTP, dr("10.0.0.2:69", 1))
            .destination(TFTP, dr("10.0.0.3:69", 1))
            .build();
    assertThat(IpvsPlanner.plan(desired, actual, Set.of(TFTP))).isEmpty();
  }

  @Test
  void switching_a_service_to_mh_puts_its_list_in_order_in_the_same_batch() {
    IpvsService wlc = IpvsService.of(TFTP, "wlc");
    IpvsTable actual =
        IpvsTable.builder()
            .service(wlc)
            .destination(TFTP, dr("10.0.0.3:69", 1))
            .destination(TFTP, dr("10.0.0.2:69", 1))
            .build();
    IpvsTable desired = mh(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));
    List<IpvsCommand> plan = IpvsPlanner.plan(desired, actual, Set.of(TFTP));
    assertThat(lines(plan).get(0)).isEqualTo("-E -f 1 -s mh -b mh-fallback");
    IpvsTable after = apply(actual, plan);
    assertThat(order(after)).isEqualTo(order(desired));
    assertThat(after.entry(TFTP).orElseThrow().service()).isEqualTo(MH);
  }

  static LongStream seeds() {
    long base = new Random().nextLong();
    System.out.println("IpvsPlannerListOrderTest seed base: " + base);
    return LongStream.range(0, 500).map(i -> base + i);
  }

  /**
   * From any kernel list (some desired servers missing, others extra, any order, any weights), one
   * plan applied as the kernel applies it gives exactly the desired list, and then nothing is left
   * to do; the in-order tail is never touched.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void from_any_list_one_plan_reaches_exactly_the_desired_order(long seed) {
    Random r = new Random(seed);
    List<IpvsDestination> pool = new ArrayList<>();
    for (int i = 0; i < 2 + r.nextInt(10); i++) {
      pool.add(dr("10.0." + r.nextInt(3) + "." + (10 + i) + ":69", r.nextInt(3)));
    }
    List<IpvsDestination> want = new ArrayList<>(pool);
    Collections.shuffle(want, r);
    want = want.subList(0, 1 + r.nextInt(want.size()));
    List<IpvsDestination> have = new ArrayList<>();
    for (IpvsDestination d : pool) {
      if (r.nextInt(4) > 0) {
        have.add(d.withWeight(r.nextInt(3)));
      }
    }
    Collections.shuffle(have, r);
    IpvsTable desired = mh(want.toArray(IpvsDestination[]::new));
    IpvsTable actual = mh(have.toArray(IpvsDestination[]::new));
    List<IpvsCommand> plan = IpvsPlanner.plan(desired, actual, Set.of(TFTP));
    IpvsTable after = apply(actual, plan);
    assertThat(order(after)).as("seed %d plan %s", seed, lines(plan)).isEqualTo(order(desired));
    assertThat(IpvsPlanner.plan(desired, after, Set.of(TFTP))).as("seed %d", seed).isEmpty();
    for (IpvsCommand c : plan) {
      if (c instanceof IpvsCommand.AddDestination a && a.destination().weight() == 0) {
        throw new AssertionError("seed " + seed + ": added at weight 0: " + c.line());
      }
    }
  }
}
