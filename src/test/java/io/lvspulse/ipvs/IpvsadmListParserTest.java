package io.lvspulse.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class IpvsadmListParserTest {
  /** ipvsadm 1.31's -L -n layout (the header lines, a fwmark, a UDP and an IPv6 service). */
  private static final String LISTING =
      "IP Virtual Server version 1.2.1 (size=4096)\n"
          + "Prot LocalAddress:Port Scheduler Flags\n"
          + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
          + "FWM  1 wlc persistent 45\n"
          + "  -> 10.0.0.2:69                  Route   1      0          3\n"
          + "  -> 10.0.0.3:69                  Route   0      0          0\n"
          + "TCP  203.0.113.20:80 wlc\n"
          + "  -> 10.0.0.5:80                  Masq    10     7          12\n"
          + "FWM  2 IPv6 rr\n"
          + "  -> [2001:db8::2]:69             Route   1      0          1\n";

  @Test
  void reads_each_destinations_active_and_inactive_counters() throws Exception {
    IpvsConnections c = IpvsadmListParser.parse(LISTING);

    assertThat(c.of(ServiceKey.fwmark(1), new InetSocketAddress("10.0.0.2", 69)))
        .contains(new IpvsConnections.Counts(0, 3));
    assertThat(c.of(ServiceKey.fwmark(1), new InetSocketAddress("10.0.0.3", 69)))
        .contains(IpvsConnections.Counts.ZERO);
    assertThat(
            c.of(
                ServiceKey.tcp(new InetSocketAddress("203.0.113.20", 80)),
                new InetSocketAddress("10.0.0.5", 80)))
        .contains(new IpvsConnections.Counts(7, 12));
    assertThat(c.of(ServiceKey.fwmark6(2), new InetSocketAddress("2001:db8::2", 69)))
        .contains(new IpvsConnections.Counts(0, 1));
    assertThat(c.of(ServiceKey.fwmark(1), new InetSocketAddress("10.0.0.9", 69))).isEmpty();
  }

  @Test
  void an_empty_table_has_no_service() throws Exception {
    assertThat(
            IpvsadmListParser.parse(
                    "IP Virtual Server version 1.2.1 (size=4096)\n"
                        + "Prot LocalAddress:Port Scheduler Flags\n"
                        + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")
                .byService())
        .isEmpty();
  }

  @Test
  void garbage_names_its_line() {
    assertThatThrownBy(() -> IpvsadmListParser.parse("FWM  1 wlc\n  -> 10.0.0.2:69 Route 1 x 0\n"))
        .isInstanceOf(IpvsParseException.class)
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> IpvsadmListParser.parse("  -> 10.0.0.2:69 Route 1 0 0\n"))
        .isInstanceOf(IpvsParseException.class)
        .hasMessageContaining("before any service");
  }

  @Test
  void the_dry_run_backend_counts_no_connection_for_each_destination() throws Exception {
    DryRunBackend b = new DryRunBackend();
    b.apply(
        java.util.List.of(
            IpvsadmSaveParser.parseLine("-A -f 1 -s wlc"),
            IpvsadmSaveParser.parseLine("-a -f 1 -r 10.0.0.2:69 -g -w 1")));

    assertThat(b.connections().of(ServiceKey.fwmark(1), new InetSocketAddress("10.0.0.2", 69)))
        .contains(IpvsConnections.Counts.ZERO);
  }
}
