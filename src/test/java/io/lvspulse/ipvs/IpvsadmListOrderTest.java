package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsCommandTest.sa;
import static io.lvspulse.ipvs.IpvsPlannerTest.dr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's order of real servers from ipvsadm -L -n --nosort, for mh services. */
class IpvsadmListOrderTest {
  /**
   * ipvsadm 1.31 -L -n --nosort on the lab's 6.1 guest kernel (after -a .2, .3, .4 and -e .3 -w 0).
   */
  static final String LIST =
      "IP Virtual Server version 1.2.1 (size=4096)\n"
          + "Prot LocalAddress:Port Scheduler Flags\n"
          + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
          + "UDP  203.0.113.10:53 wlc persistent 45 mask 255.255.255.0\n"
          + "  -> 10.0.0.4:53                  Route   2      0          0         \n"
          + "  -> 10.0.0.3:53                  Route   2      0          0         \n"
          + "  -> 10.0.0.2:53                  Route   2      0          0         \n"
          + "FWM  1 mh (mh-fallback,mh-port)\n"
          + "  -> 10.0.0.4:69                  Route   1      0          0         \n"
          + "  -> 10.0.0.3:69                  Route   0      0          0         \n"
          + "  -> 10.0.0.2:69                  Route   1      0          0         \n";

  static final ServiceKey FWM = ServiceKey.fwmark(1);
  static final ServiceKey DNS = ServiceKey.udp(sa("203.0.113.10:53"));

  @TempDir Path tmp;

  @Test
  void the_list_gives_each_services_real_servers_in_the_kernels_order() throws Exception {
    Map<ServiceKey, List<InetSocketAddress>> o = IpvsadmListOrder.parse(LIST);
    assertThat(o.keySet()).containsExactly(DNS, FWM);
    assertThat(o.get(FWM)).containsExactly(sa("10.0.0.4:69"), sa("10.0.0.3:69"), sa("10.0.0.2:69"));
  }

  @Test
  void fwmark_ipv6_tcp_and_ipv6_address_services_are_recognised() throws Exception {
    Map<ServiceKey, List<InetSocketAddress>> o =
        IpvsadmListOrder.parse(
            "FWM  7 IPv6 mh\n  -> [2001:db8::2]:69 Route 1 0 0\n"
                + "TCP  [2001:db8::10]:80 wlc\n  -> [2001:db8::3]:80 Route 1 0 0\n");
    assertThat(o.keySet())
        .containsExactly(ServiceKey.fwmark6(7), ServiceKey.tcp(sa("[2001:db8::10]:80")));
  }

  @Test
  void only_mh_services_are_put_in_the_kernels_order() throws Exception {
    IpvsService mh = IpvsService.of(FWM, "mh").withSchedulerFlags("mh-fallback,mh-port");
    IpvsTable sorted =
        IpvsTable.builder()
            .service(mh)
            .destination(FWM, dr("10.0.0.2:69", 1))
            .destination(FWM, dr("10.0.0.3:69", 0))
            .destination(FWM, dr("10.0.0.4:69", 1))
            .service(IpvsService.of(DNS, "wlc"))
            .destination(DNS, dr("10.0.0.2:53", 2))
            .destination(DNS, dr("10.0.0.3:53", 2))
            .destination(DNS, dr("10.0.0.4:53", 2))
            .build();
    IpvsTable t = IpvsadmListOrder.apply(sorted, IpvsadmListOrder.parse(LIST));
    assertThat(t.entry(FWM).orElseThrow().destinations().keySet())
        .containsExactly(sa("10.0.0.4:69"), sa("10.0.0.3:69"), sa("10.0.0.2:69"));
    assertThat(t.entry(DNS).orElseThrow().destinations().keySet())
        .containsExactly(sa("10.0.0.2:53"), sa("10.0.0.3:53"), sa("10.0.0.4:53"));
    assertThat(t).isEqualTo(sorted);
  }

  @Test
  void two_reads_that_disagree_are_a_parse_error() {
    IpvsTable two =
        IpvsTable.builder()
            .service(IpvsService.of(FWM, "mh"))
            .destination(FWM, dr("10.0.0.2:69", 1))
            .destination(FWM, dr("10.0.0.5:69", 1))
            .build();
    assertThatThrownBy(() -> IpvsadmListOrder.apply(two, IpvsadmListOrder.parse(LIST)))
        .isInstanceOf(IpvsParseException.class)
        .hasMessageContaining("disagree");
  }

  @Test
  void the_backend_reads_an_mh_service_in_the_kernels_order_and_the_reconciler_converges_it()
      throws Exception {
    FakeIpvsadm fake = new FakeIpvsadm(tmp);
    IpvsadmBackend backend =
        new IpvsadmBackend(
            IpvsadmBackend.Options.explicit(fake.wrapper())
                .withTimeout(Duration.ofSeconds(5))
                .withProcNetIpVs(tmp.resolve("none"), 100),
            new io.lvspulse.exec.ExecRunner());
    IpvsTable desired =
        IpvsTable.builder()
            .service(IpvsService.of(FWM, "mh").withSchedulerFlags("mh-fallback"))
            .destination(FWM, dr("10.0.0.2:69", 1), 1)
            .destination(FWM, dr("10.0.0.3:69", 0), 1)
            .destination(FWM, dr("10.0.0.4:69", 1), 1)
            .build();
    IpvsReconciler r =
        new IpvsReconciler(
            backend,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            IpvsReconciler.RetryPolicy.DEFAULT,
            d -> {});
    assertThat(r.reconcile(desired, Set.of(FWM)).converged()).isTrue();
    assertThat(backend.read().entry(FWM).orElseThrow().destinations().keySet())
        .containsExactly(sa("10.0.0.2:69"), sa("10.0.0.3:69"), sa("10.0.0.4:69"));
    assertThat(fake.calls()).contains("-L -n --nosort");
    // An operator deletes and re-adds .3: it goes to the head; the next reconcile puts it back.
    fake.table(
        "-A -f 1 -s mh -b mh-fallback\n-a -f 1 -r 10.0.0.3:69 -g -w 0\n"
            + "-a -f 1 -r 10.0.0.2:69 -g -w 1\n-a -f 1 -r 10.0.0.4:69 -g -w 1\n");
    assertThat(r.reconcile().converged()).isTrue();
    assertThat(backend.read().entry(FWM).orElseThrow().destinations().keySet())
        .containsExactly(sa("10.0.0.2:69"), sa("10.0.0.3:69"), sa("10.0.0.4:69"));
  }
}
