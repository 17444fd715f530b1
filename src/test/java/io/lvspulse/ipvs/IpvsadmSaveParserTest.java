package io.lvspulse.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpvsadmSaveParserTest {
  /** Captured from `ipvsadm -S -n` in the UML guest (6.1.176, ipvsadm 1.31). */
  static final String GUEST_OUTPUT =
      """
      -A -t 198.51.100.1:80 -s wrr
      -a -t 198.51.100.1:80 -r 192.0.2.10:8080 -m -w 5
      -a -t 198.51.100.1:80 -r 192.0.2.11:80 -i -w 0 --tun-type ipip
      -A -t 198.51.100.3:22 -s wlc -p 360
      -A -u 198.51.100.2:53 -s rr -p 300 -M 255.255.255.0
      -A -t [2001:db8::1]:443 -s lc
      -a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 3
      -A -f 101 -s wlc -p 45
      -a -f 101 -r 10.0.0.2:0 -g -w 4
      -a -f 101 -r 10.0.0.2:69 -g -w 1
      -a -f 101 -r 10.0.0.3:0 -g -w 70000
      -A -f 102 -6 -s sh
      -a -f 102 -6 -r [2001:db8::20]:0 -g -w 1
      """;

  @Test
  void the_guests_save_output_parses_into_every_service_and_real_server() throws Exception {
    IpvsTable t = IpvsadmSaveParser.parse(GUEST_OUTPUT);

    assertThat(t.serviceCount()).isEqualTo(6);
    assertThat(t.destinationCount()).isEqualTo(7);
    IpvsService fwm = t.entry(ServiceKey.fwmark(101)).orElseThrow().service();
    assertThat(fwm.scheduler()).isEqualTo("wlc");
    assertThat(fwm.persistence()).contains(Duration.ofSeconds(45));
    assertThat(t.entry(ServiceKey.fwmark(101)).orElseThrow().destinations()).hasSize(3);
    IpvsService udp =
        t.entry(ServiceKey.udp(IpAddresses.parseSocketAddress("198.51.100.2:53")))
            .orElseThrow()
            .service();
    assertThat(udp.persistenceMask()).isEqualTo(Optional.of("255.255.255.0"));
    assertThat(t.entry(ServiceKey.fwmark6(102))).isPresent();
    assertThat(t.entry(ServiceKey.fwmark(102))).isEmpty();
  }

  @Test
  void a_parsed_table_renders_back_to_the_same_lines_except_options_it_does_not_model()
      throws Exception {
    IpvsTable t = IpvsadmSaveParser.parse(GUEST_OUTPUT);

    assertThat(String.join("\n", t.toSaveLines()) + "\n")
        .isEqualTo(GUEST_OUTPUT.replace(" --tun-type ipip", ""));
    assertThat(IpvsadmSaveParser.parse(String.join("\n", t.toSaveLines()))).isEqualTo(t);
  }

  @Test
  void an_empty_table_is_empty() throws Exception {
    assertThat(IpvsadmSaveParser.parse("")).isEqualTo(IpvsTable.EMPTY);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Segmentation fault",
        "-A -f 1",
        "-A -f 1 -s wlc -p forty",
        "-A -f 1 -s wlc -Z",
        "-a -f 7 -r 10.0.0.2:69 -g -w 1",
        "-A -t example.org:80 -s rr",
        "-A -f 1 -s wlc -r 10.0.0.2:69",
        "-D -f 1",
        "IP Virtual Server version 1.2.1 (size=4096)"
      })
  void garbage_is_a_parse_error_that_names_the_line(String bad) {
    String text = "-A -f 1 -s wlc -p 45\n-a -f 1 -r 10.0.0.2:69 -g -w 1\n" + bad + "\n";

    assertThatThrownBy(() -> IpvsadmSaveParser.parse(text))
        .isInstanceOfSatisfying(
            IpvsParseException.class,
            e -> {
              assertThat(e.lineNumber()).isEqualTo(3);
              assertThat(e.line()).isEqualTo(bad);
              assertThat(e.getMessage()).startsWith("line 3: ");
            });
  }

  @Test
  void a_duplicate_service_is_a_parse_error() {
    assertThatThrownBy(() -> IpvsadmSaveParser.parse("-A -f 1 -s wlc\n-A -f 1 -s rr\n"))
        .isInstanceOf(IpvsParseException.class)
        .hasMessageContaining("Service already exists");
  }

  @Test
  void every_command_line_parses_back_to_the_same_command() {
    ServiceKey k = ServiceKey.fwmark(1);
    IpvsDestination d =
        new IpvsDestination(
            IpAddresses.parseSocketAddress("10.0.0.2:69"), ForwardingMethod.ROUTE, 3);
    IpvsService s = IpvsService.of(k, "wlc").withPersistence(Duration.ofSeconds(45));
    for (IpvsCommand c :
        java.util.List.of(
            new IpvsCommand.AddService(s),
            new IpvsCommand.EditService(s),
            new IpvsCommand.DeleteService(k),
            new IpvsCommand.AddDestination(k, d),
            new IpvsCommand.EditDestination(k, d),
            new IpvsCommand.DeleteDestination(k, d.address()))) {
      assertThat(IpvsadmSaveParser.parseLine(c.line())).isEqualTo(c);
    }
  }
}
