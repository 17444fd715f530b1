package io.lvspulse.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

  /** RFC 5952 section 4 and its examples, against the JDK's full form. */
  @ParameterizedTest
  @CsvSource({
    "2001:0db8:0000:0000:0000:0000:0000:0010, 2001:db8::10",
    "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:db8::0:1, 2001:db8::1",
    "0:0:0:0:0:0:0:1, ::1",
    "0:0:0:0:0:0:0:0, ::",
    "fd00:0:0:0:0:0:0:0, fd00::",
    "fe80:0:0:0:0:0:0:1%1, fe80::1",
    "203.0.113.10, 203.0.113.10"
  })
  void every_address_is_printed_in_its_canonical_text_form(String in, String out) throws Exception {
    assertThat(Addresses.canonical(InetAddress.getByName(in))).isEqualTo(out);
  }

  @Test
  void a_socket_address_brackets_ipv6_only() throws Exception {
    assertThat(Addresses.canonical(new InetSocketAddress(InetAddress.getByName("fd00::2"), 69)))
        .isEqualTo("[fd00::2]:69");
    assertThat(Addresses.canonical(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 69)))
        .isEqualTo("10.0.0.2:69");
  }

  @Test
  void prefix_lengths_and_netmasks_convert_both_ways_in_both_families() throws Exception {
    for (int n = 0; n <= 128; n++) {
      assertThat(Addresses.prefixLength(Addresses.netmask(n, true))).isEqualTo(n);
    }
    for (int n = 0; n <= 32; n++) {
      assertThat(Addresses.prefixLength(Addresses.netmask(n, false))).isEqualTo(n);
    }
    assertThat(Addresses.netmask(64, true))
        .isEqualTo(InetAddress.getByName("ffff:ffff:ffff:ffff::"));
    assertThat(Addresses.prefixLength(InetAddress.getByName("255.0.255.0"))).isEqualTo(-1);
    assertThat(Addresses.prefixLength(InetAddress.getByName("ffff:ff01::"))).isEqualTo(-1);
  }

  @Test
  void only_an_all_zero_address_is_unspecified() throws Exception {
    assertThat(Addresses.isUnspecified(InetAddress.getByName("::"))).isTrue();
    assertThat(Addresses.isUnspecified(InetAddress.getByName("0.0.0.0"))).isTrue();
    assertThat(Addresses.isUnspecified(InetAddress.getByName("2001:db8::"))).isFalse();
  }
}
