package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.spy;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.ipvs.ForwardingMethod;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsDestination;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsService;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.HealthMonitor;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelAdoptionTest {
  private final DryRunBackend kernel = new DryRunBackend();

  @Test
  void a_server_already_in_the_kernel_keeps_its_weight_and_one_that_is_not_gets_none()
      throws Exception {
    LvsConfig c = DesiredTablesTest.config("");
    VirtualService v = c.virtuals().get(0);
    ServiceKey fwmark = ServiceKey.fwmark(1);
    kernel.apply(
        List.of(
            new IpvsCommand.AddService(IpvsService.of(fwmark, "wlc")),
            new IpvsCommand.AddDestination(
                fwmark,
                new IpvsDestination(
                    new InetSocketAddress("10.0.0.2", 0), ForwardingMethod.ROUTE, 3))));

    HealthMonitor.KernelWeights w = KernelAdoption.weights(kernel, c);

    assertThat(w.weight(v, v.servers().get(0))).as("fwmark server kept as IP:0").hasValue(3);
    assertThat(w.weight(v, v.servers().get(1))).isEmpty();
  }

  /**
   * A table programmed with fwmark direct-routing servers as RIP:RPORT (Piranha's lvsd, an older
   * lvs-pulse) is adopted too: a restart onto it keeps the weights while the reconciler moves the
   * servers to RIP:0.
   */
  @Test
  void a_table_with_fwmark_servers_at_their_lvs_cf_port_is_adopted_too() throws Exception {
    LvsConfig c = DesiredTablesTest.config("");
    VirtualService v = c.virtuals().get(0);
    ServiceKey fwmark = ServiceKey.fwmark(1);
    kernel.apply(
        List.of(
            new IpvsCommand.AddService(IpvsService.of(fwmark, "wlc")),
            new IpvsCommand.AddDestination(
                fwmark,
                new IpvsDestination(
                    new InetSocketAddress("10.0.0.2", 69), ForwardingMethod.ROUTE, 4)),
            new IpvsCommand.AddDestination(
                fwmark,
                new IpvsDestination(
                    new InetSocketAddress("10.0.0.3", 69), ForwardingMethod.ROUTE, 0))));

    HealthMonitor.KernelWeights w = KernelAdoption.weights(kernel, c);

    assertThat(w.weight(v, v.servers().get(0))).hasValue(4);
    assertThat(w.weight(v, v.servers().get(1))).hasValue(0);
  }

  @Test
  void an_unreadable_kernel_table_adopts_nothing() throws Exception {
    LvsConfig c = DesiredTablesTest.config("");
    VirtualService v = c.virtuals().get(0);
    DryRunBackend broken = spy(kernel);
    doThrow(new IpvsException(IpvsException.Kind.FAILED, "exit 2")).when(broken).read();

    assertThat(KernelAdoption.weights(broken, c)).isSameAs(HealthMonitor.KernelWeights.NONE);
    assertThat(HealthMonitor.KernelWeights.NONE.weight(v, v.servers().get(0))).isEmpty();
  }
}
