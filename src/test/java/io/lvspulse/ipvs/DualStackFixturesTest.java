package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsCommandTest.sa;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real output of ipvsadm 1.31 on the lab guest's 6.1 kernel for a dual-stack table, byte for byte
 * (src/test/resources/ipvs/*dual-stack*), produced by {@code lab/bin/director-exec NAME ipvsadm}
 * after:
 *
 * <pre>
 * -A -f 1 -6 -s wlc -p 45; -a -f 1 -6 -r [fd00:10::2]:69 -g -w 1; -a -f 1 -6 -r [fd00:10::3]:69 -g -w 1
 * -A -f 1 -s wlc -p 45; -a -f 1 -r 10.0.0.2:69 -g -w 1; -a -f 1 -r 10.0.0.3:69 -g -w 0
 * -A -u [2001:db8::10]:69 -s rr; -a -u [2001:db8::10]:69 -r [2001:db8:1::2]:69 -m -w 2
 * -A -t [2001:db8::10]:80 -s wlc -p 60 -M 64
 * -A -f 2 -6 -s mh -b mh-fallback; -a ... [fd00::2]:69, [8000::1]:69, [2001:db8::10]:69, [2001:db8::3]:69
 * -A -f 2 -s mh -b mh-fallback; -a ... 192.168.0.2:69, 10.0.0.9:69, 10.0.0.2:69
 * </pre>
 *
 * (each mh list added last first, as the planner does, so the kernel's list is canonical).
 */
class DualStackFixturesTest {
  static String fixture(String name) throws Exception {
    return Files.readString(Path.of("src/test/resources/ipvs", name));
  }

  @Test
  void the_save_output_has_one_fwmark_service_per_family_and_parses_back_to_itself()
      throws Exception {
    String save = fixture("ipvsadm-1.31-dual-stack-save.txt");
    IpvsTable t = IpvsadmSaveParser.parse(save);
    assertThat(t.keys())
        .containsExactly(
            ServiceKey.tcp(sa("[2001:db8::10]:80")),
            ServiceKey.udp(sa("[2001:db8::10]:69")),
            ServiceKey.fwmark(1),
            ServiceKey.fwmark6(1),
            ServiceKey.fwmark(2),
            ServiceKey.fwmark6(2));
    assertThat(t.entry(ServiceKey.fwmark6(1)).orElseThrow().destinations().keySet())
        .containsExactly(sa("[fd00:10::2]:69"), sa("[fd00:10::3]:69"));
    assertThat(t.entry(ServiceKey.fwmark(1)).orElseThrow().destinations().keySet())
        .containsExactly(sa("10.0.0.2:69"), sa("10.0.0.3:69"));
    assertThat(
            t.entry(ServiceKey.tcp(sa("[2001:db8::10]:80")))
                .orElseThrow()
                .service()
                .persistenceMask())
        .contains("64");
    assertThat(t.toSaveLines()).isEqualTo(save.lines().toList());
  }

  @Test
  void the_kernels_list_of_an_mh_service_is_the_canonical_order_in_both_families()
      throws Exception {
    Map<ServiceKey, List<InetSocketAddress>> order =
        IpvsadmListOrder.parse(fixture("ipvsadm-1.31-dual-stack-list-nosort.txt"));
    assertThat(order.get(ServiceKey.fwmark6(2)))
        .containsExactly(
            sa("[2001:db8::3]:69"),
            sa("[2001:db8::10]:69"),
            sa("[8000::1]:69"),
            sa("[fd00::2]:69"));
    assertThat(order.get(ServiceKey.fwmark(2)))
        .containsExactly(sa("10.0.0.2:69"), sa("10.0.0.9:69"), sa("192.168.0.2:69"));
    for (ServiceKey k : List.of(ServiceKey.fwmark(2), ServiceKey.fwmark6(2))) {
      List<InetSocketAddress> canonical = new ArrayList<>(order.get(k));
      canonical.sort(io.lvspulse.director.EcmpTables.CANONICAL);
      assertThat(order.get(k)).as("%s in canonical order", k).isEqualTo(canonical);
    }
  }

  @Test
  void ipvsadms_own_sort_is_not_the_canonical_order_when_addresses_are_far_apart()
      throws Exception {
    // ipvs_cmp_dests returns ntohl(a) - ntohl(b) as an int: 192.168.0.2 - 10.0.0.2 is negative.
    IpvsTable t = IpvsadmSaveParser.parse(fixture("ipvsadm-1.31-dual-stack-save.txt"));
    assertThat(t.entry(ServiceKey.fwmark(2)).orElseThrow().destinations().keySet())
        .containsExactly(sa("192.168.0.2:69"), sa("10.0.0.2:69"), sa("10.0.0.9:69"));
    assertThat(fixture("ipvsadm-1.31-dual-stack-list.txt"))
        .contains("FWM  2 mh (mh-fallback)\n  -> 192.168.0.2:69 ");
  }

  @Test
  void proc_net_ip_vs_gives_the_same_services_and_real_servers_in_both_families() throws Exception {
    IpvsTable proc = ProcNetIpVsParser.parse(fixture("proc-net-ip_vs-dual-stack.txt"), 250);
    IpvsTable save = IpvsadmSaveParser.parse(fixture("ipvsadm-1.31-dual-stack-save.txt"));
    assertThat(proc.keys()).containsExactlyInAnyOrderElementsOf(save.keys());
    for (ServiceKey k : save.keys()) {
      IpvsTable.Entry p = proc.entry(k).orElseThrow();
      IpvsTable.Entry s = save.entry(k).orElseThrow();
      assertThat(p.destinations()).as("%s", k).isEqualTo(s.destinations());
      assertThat(p.service().persistence()).as("%s", k).isEqualTo(s.service().persistence());
      assertThat(p.service().persistenceMask())
          .as("%s", k)
          .isEqualTo(s.service().persistenceMask());
    }
  }
}
