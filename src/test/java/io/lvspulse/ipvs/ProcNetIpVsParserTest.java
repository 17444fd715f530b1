package io.lvspulse.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcNetIpVsParserTest {
  /** /proc/net/ip_vs in the UML guest (HZ=100) holding the same table as the save test's. */
  static final String GUEST_PROC =
      """
      IP Virtual Server version 1.2.1 (size=4096)
      Prot LocalAddress:Port Scheduler Flags
        -> RemoteAddress:Port Forward Weight ActiveConn InActConn
      TCP  C6336401:0050 wrr \s
        -> C000020B:0050      Tunnel  0      0          0        \s
        -> C000020A:1F90      Masq    5      0          0        \s
      TCP  [2001:0db8:0000:0000:0000:0000:0000:0001]:01BB lc\s
        -> [2001:0db8:0000:0000:0000:0000:0000:0010]:01BB      Masq    3      0          0        \s
      TCP  C6336403:0016 wlc  persistent 36000 FFFFFFFF
      UDP  C6336402:0035 rr  persistent 30000 FFFFFF00
      FWM  00000065 wlc persistent 4500 FFFFFFFF
        -> 0A000003:0000      Route   70000      0          0        \s
        -> 0A000002:0045      Route   1      0          0        \s
        -> 0A000002:0000      Route   4      0          0        \s
      FWM  00000066 sh\s
        -> [2001:0db8:0000:0000:0000:0000:0000:0020]:0000      Route   1      0          0        \s
      """;

  @Test
  void the_proc_file_gives_the_same_table_as_ipvsadm_save_when_hz_is_right() throws Exception {
    IpvsTable fromProc = ProcNetIpVsParser.parse(GUEST_PROC, 100);
    IpvsTable fromSave = IpvsadmSaveParser.parse(IpvsadmSaveParserTest.GUEST_OUTPUT);

    for (IpvsTable.Entry e : fromSave.entries()) {
      IpvsTable.Entry p = fromProc.entry(e.service().key()).orElseThrow();
      assertThat(p.service()).isEqualTo(e.service());
      assertThat(p.destinations()).containsExactlyInAnyOrderEntriesOf(e.destinations());
    }
    assertThat(fromProc.keys()).containsExactlyInAnyOrderElementsOf(fromSave.keys());
  }

  @Test
  void a_garbage_line_is_a_parse_error_with_its_number() {
    assertThatThrownBy(() -> ProcNetIpVsParser.parse(GUEST_PROC + "FWM  zz wlc\n", 100))
        .isInstanceOfSatisfying(
            IpvsParseException.class, e -> assertThat(e.lineNumber()).isEqualTo(17));
    assertThatThrownBy(() -> ProcNetIpVsParser.parse("  -> 0A000002:0045 Route 1 0 0\n", 100))
        .isInstanceOf(IpvsParseException.class);
  }
}
