package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Files an unlucky operator or an attacker hands to a reload (issue 9, items 2 and 11): each must
 * give a bounded list of clear messages, each duplicate reported once against the first, no value
 * echoed whole, no control character echoed raw. Before the fix, 700 duplicate blocks gave 244,650
 * errors (each against every earlier one), 5,000 duplicates or 5,000 unclosed nested blocks ran the
 * daemon out of memory, and a long key was echoed whole.
 */
class BadConfigFilesTest {

  private static ConfigException reject(String text) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> TestParsers.parser().parse("bad.cf", text));
    assertThat(e).as("must be rejected").isNotNull();
    return e;
  }

  private static void allSafe(List<Diagnostic> ds) {
    for (Diagnostic d : ds) {
      String s = d.toString();
      assertThat(s.length()).as("message length of %s", s).isLessThan(400);
      assertThat(s.chars().noneMatch(c -> c < 0x20 || c == 0x7f))
          .as("raw control in %s", s)
          .isTrue();
    }
  }

  @Test
  void seven_hundred_duplicate_virtual_blocks_are_each_reported_once_and_a_hundred_are_listed() {
    ConfigException e = reject("virtual a {\n}\n".repeat(700));
    List<Diagnostic> errors = e.errors();
    assertThat(errors).hasSize(101);
    for (int i = 0; i < 100; i++) {
      assertThat(errors.get(i).line()).as("error %d", i).isEqualTo(3 + 2 * i);
      assertThat(errors.get(i).message())
          .isEqualTo("duplicate virtual name 'a' (first defined at line 1)");
    }
    assertThat(errors.get(100).line()).isEqualTo(203);
    assertThat(errors.get(100).message())
        .isEqualTo("599 more errors not shown, from here on (only the first 100 are listed)");
    assertThat(e.getMessage().lines()).hasSize(101);
    allSafe(errors);
  }

  @Test
  void five_thousand_duplicate_virtual_blocks_give_a_hundred_errors_and_a_count() {
    ConfigException e = reject("virtual a {\n}\n".repeat(5000));
    assertThat(e.errors()).hasSize(101);
    assertThat(e.errors().get(100).message()).startsWith("4899 more errors not shown");
  }

  /**
   * A fwmark service with direct routing has its real servers as RIP:0 in IPVS
   * (director.ConfigTables#destinationAddress): two servers on one address would be one IPVS
   * destination, so they are refused; with NAT the port is kept and they are two.
   */
  @Test
  void two_servers_on_one_address_of_a_direct_routing_fwmark_service_are_refused() {
    String servers =
        "  server a {\n    address = 10.0.0.2\n    port = 69\n  }\n"
            + "  server b {\n    address = 10.0.0.2\n    port = 70\n  }\n}\n";
    String virtual = "virtual v {\n  address = 203.0.113.10 eth0:1\n  fwmark = 1\n";
    ConfigException e = reject("network = direct\n" + virtual + servers);
    assertThat(e.errors())
        .extracting(Diagnostic::message)
        .contains(
            "server 'b' has the same address (10.0.0.2) as server 'a' (line 5) in virtual 'v':"
                + " with network direct a firewall-mark service forwards by address only, so they"
                + " would be one IPVS destination");

    assertThatCode(
            () -> TestParsers.parser().parse("nat.cf", "network = nat\n" + virtual + servers))
        .doesNotThrowAnyException();
  }

  @Test
  void duplicate_failover_and_server_names_are_each_reported_once_against_the_first() {
    StringBuilder b = new StringBuilder("virtual v {\n");
    for (int i = 0; i < 300; i++) {
      b.append("  server s {\n    address = 10.0.0.").append(1 + i % 200).append("\n  }\n");
    }
    b.append("}\n").append("failover f {\n}\n".repeat(3));
    ConfigException e = reject(b.toString());
    assertThat(e.errors()).hasSize(101);
    assertThat(e.errors().get(0).message())
        .isEqualTo("duplicate server name 's' in virtual 'v' (first defined at line 2)");
    // 299 duplicate servers, 100 same address and port, 2 duplicate failovers
    assertThat(e.errors().get(100).message()).startsWith("301 more errors not shown");
  }

  @Test
  void five_thousand_unclosed_nested_blocks_give_a_bounded_list() {
    ConfigException e = reject("virtual a {\n" + "    server s {\n".repeat(5000));
    assertThat(e.errors()).hasSize(101);
    assertThat(e.errors().get(100).message()).matches("\\d+ more errors not shown.*");
    allSafe(e.errors());
  }

  @Test
  void warnings_are_listed_up_to_a_hundred_too() throws Exception {
    StringBuilder b = new StringBuilder("virtual v {\n");
    for (int i = 0; i < 300; i++) {
      b.append("  server s")
          .append(i)
          .append(" {\n    address = 10.0.")
          .append(i / 250)
          .append('.')
          .append(1 + i % 250)
          .append("\n    active = 1\n    weight = 0\n  }\n");
    }
    ParsedConfig p = TestParsers.parser().parse("w.cf", b.append("}\n").toString());
    assertThat(p.warnings()).hasSize(101);
    assertThat(p.warnings().get(100).message()).startsWith("200 more warnings not shown");
    assertThat(p.config().virtuals().get(0).servers()).hasSize(300);
  }

  @Test
  void a_long_unknown_key_is_echoed_cut_with_its_length() {
    String key = "k".repeat(4000);
    ConfigException e = reject(key + " = 1\n");
    assertThat(e.errors()).hasSize(1);
    String m = e.errors().get(0).message();
    assertThat(m).startsWith("unknown key 'kkkk").contains("...(4000 characters)");
    assertThat(m.length()).isLessThan(200);
  }

  @Test
  void a_line_of_a_megabyte_is_one_error_that_echoes_none_of_it() {
    ConfigException e = reject("x".repeat(1 << 20) + " = 1\nserial_no = 1\n");
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).message())
        .isEqualTo(
            "line 1 is 1048580 characters long: lvs-pulse reads lines of at most 65536"
                + " characters");
  }

  @Test
  void a_control_character_in_a_value_is_an_error_echoed_escaped() {
    ConfigException e =
        reject(
            "virtual web\u001b[2J\u001b[H {\n  active = 1\n  address = 192.0.2.1 eth0\u0000\n}\n");
    List<String> m = e.errors().stream().map(Diagnostic::toString).toList();
    assertThat(m)
        .anySatisfy(
            s -> assertThat(s).startsWith("bad.cf:1:9: error: control character 0x1b at column 12"))
        .anySatisfy(s -> assertThat(s).contains("control character 0x00"));
    allSafe(e.errors());
  }

  @Test
  void a_control_character_in_a_comment_is_ignored_with_the_comment() throws Exception {
    assertThat(
            TestParsers.parser()
                .parse("c.cf", "# \u0007 bell \u001b[31m\nserial_no = 3\n")
                .config()
                .global()
                .serialNo())
        .isEqualTo(3);
  }

  @Test
  void a_diagnostic_never_carries_a_raw_line_break_or_control_character() {
    Diagnostic d = Diagnostic.error("a\nb.cf", 1, 1, "x\r\nFAKE 2026 INFO forged\u202e line");
    assertThat(d.toString())
        .isEqualTo("a\\nb.cf:1:1: error: x\\r\\nFAKE 2026 INFO forged\\u202e line");
  }
}
