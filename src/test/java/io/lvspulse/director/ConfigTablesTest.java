package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsDestination;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one rule that turns a configured real server into an IPVS destination address
 * (docs/ipvs.md#firewall-mark-real-servers-have-port-0).
 */
class ConfigTablesTest {

  private static LvsConfig config(String network, String service) throws Exception {
    return new LvsConfigParser()
        .parse(
            "t.cf",
            "network = "
                + network
                + "\nvirtual v {\n active = 1\n address = 203.0.113.10 eth0:1\n"
                + service
                + " port = 69\n protocol = udp\n sorry_server = 10.0.0.9\n"
                + " send_program = \"/bin/true %h\"\n"
                + " server a {\n  address = 10.0.0.2\n  active = 1\n  weight = 3\n }\n}\n")
        .config();
  }

  /**
   * Regression (issue 11): a fwmark server with direct routing was {@code -r RIP:69}, which the
   * kernel's sync daemon never binds a synced template to (it looks port 0 up), so a backup lost
   * every client's persistence at takeover.
   */
  @ParameterizedTest(name = "network {0}, {1}: {2}")
  @CsvSource({
    "direct, fwmark = 1, 10.0.0.2:0 -g",
    "tunnel, fwmark = 1, 10.0.0.2:0 -i",
    "nat, fwmark = 1, 10.0.0.2:69 -m",
    "direct, '', 10.0.0.2:69 -g",
    "nat, '', 10.0.0.2:69 -m",
  })
  void a_real_server_is_port_0_only_in_a_fwmark_service_without_nat(
      String network, String service, String expected) throws Exception {
    LvsConfig c = config(network, service.isEmpty() ? "" : " " + service + "\n");
    VirtualService v = c.virtuals().get(0);
    IpvsDestination d = ConfigTables.destination(v, v.servers().get(0), c.global().network(), 3);

    assertThat(d.address().getPort() + " " + d.method().flag())
        .isEqualTo(expected.substring(expected.indexOf(':') + 1));
    assertThat(ConfigTables.destinationAddress(v, v.servers().get(0), c.global().network()))
        .isEqualTo(d.address());
    assertThat(d.weight()).isEqualTo(3);
    assertThat(v.servers().get(0).port())
        .as("lvs.cf's port is kept for /status and metrics")
        .isEqualTo(69);
  }

  @Test
  void the_sorry_server_follows_the_same_rule() throws Exception {
    LvsConfig dr = config("direct", " fwmark = 1\n");
    LvsConfig nat = config("nat", " fwmark = 1\n");
    InetAddress sorry = InetAddress.getByName("10.0.0.9");

    assertThat(
            ConfigTables.sorryDestination(dr.virtuals().get(0), sorry, dr.global().network())
                .address())
        .isEqualTo(new InetSocketAddress(sorry, 0));
    assertThat(
            ConfigTables.sorryDestination(nat.virtuals().get(0), sorry, nat.global().network())
                .address())
        .isEqualTo(new InetSocketAddress(sorry, 69));
  }
}
