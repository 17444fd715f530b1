package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lvspulse.testing.Examples;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SharedExamplesTest {
  static final LvsConfigParser PARSER =
      new LvsConfigParser(HostResolver.none(), ServiceNames.system());

  /** The column each shared invalid example's first error must point at. */
  static final Map<String, Integer> EXPECTED_COLUMN =
      Map.of(
          "bad-netmask.lvs.cf", 17,
          "bool-out-of-range.lvs.cf", 22,
          "missing-equals.lvs.cf", 13,
          "unclosed-block.lvs.cf", 1,
          "unknown-key.lvs.cf", 5,
          "unterminated-quote.lvs.cf", 14);

  static Path examples() {
    Path p = Examples.dir();
    return p;
  }

  static Stream<Path> valid() throws IOException {
    try (Stream<Path> s = Files.list(examples().resolve("valid"))) {
      return s.filter(p -> p.toString().endsWith(".lvs.cf")).sorted().toList().stream();
    }
  }

  static Stream<Path> invalid() throws IOException {
    try (Stream<Path> s = Files.list(examples().resolve("invalid"))) {
      return s.filter(p -> p.toString().endsWith(".lvs.cf")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("valid")
  void every_valid_example_parses(Path file) throws Exception {
    ParsedConfig pc = PARSER.parse(file);
    assertThat(pc.config().virtuals()).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void every_invalid_example_is_rejected_at_its_line_and_column(Path file) throws Exception {
    String first = Files.readAllLines(file).get(0);
    assertThat(first).startsWith("# expect-error-line: ");
    int line = Integer.parseInt(first.substring("# expect-error-line: ".length()).trim());
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> PARSER.parse(file));
    assertThat(e).as("%s must be rejected", file).isNotNull();
    Diagnostic d = e.errors().get(0);
    assertThat(d.line()).as(d.toString()).isEqualTo(line);
    assertThat(d.column())
        .as(d.toString())
        .isEqualTo(EXPECTED_COLUMN.get(file.getFileName().toString()));
    assertThat(d.file()).isEqualTo(file.toString());
    assertThat(d.toString()).startsWith(file + ":" + line + ":" + d.column() + ": error: ");
  }

  @Test
  void the_invalid_examples_give_these_exact_messages() throws Exception {
    Map<String, String> expected =
        Map.of(
            "bad-netmask.lvs.cf",
                "5:17: error: bad netmask '255.255.0.255.1' for 'vip_nmask': expected a dotted quad such as 255.255.255.0",
            "bool-out-of-range.lvs.cf", "4:22: error: 'quiesce_server' must be 0 or 1, found 2",
            "missing-equals.lvs.cf",
                "5:13: error: missing '=' after 'address' (found '203.0.113.10'): write 'address = VALUE VALUE'",
            "unclosed-block.lvs.cf",
                "3:1: error: virtual 'tftp' is not closed: '}' is missing (the block opens here)",
            "unknown-key.lvs.cf",
                "6:5: error: unknown key 'quiesce_sever' in virtual 'tftp' (did you mean 'quiesce_server'?)",
            "unterminated-quote.lvs.cf",
                "5:14: error: unclosed quote: the \" at column 14 has no closing \" on this line");
    for (Path f : invalid().toList()) {
      ConfigException e = catchThrowableOfType(ConfigException.class, () -> PARSER.parse(f));
      assertThat(e.errors().get(0).toString())
          .isEqualTo(f + ":" + expected.get(f.getFileName().toString()));
    }
  }

  @Test
  void the_one_line_tftp_block_gives_exactly_the_multi_line_model() throws Exception {
    VirtualService one =
        PARSER.parse(examples().resolve("valid/tftp-one-line.lvs.cf")).config().virtuals().get(0);
    VirtualService pair =
        PARSER.parse(examples().resolve("valid/tftp-pair.lvs.cf")).config().virtuals().get(0);
    VirtualService.Builder b = pair.toBuilder();
    b.servers = List.of(pair.servers().get(0), pair.servers().get(1));
    assertThat(one).isEqualTo(b.build());
    assertThat(one.fwmark()).isEqualTo(1);
    assertThat(one.port()).isEqualTo(69);
    assertThat(one.protocol()).isEqualTo(Protocol.UDP);
    assertThat(one.persistent()).isEqualTo(Duration.ofSeconds(45));
    assertThat(one.expect()).contains("OK - answer from server");
    assertThat(one.sendProgram()).contains("/usr/local/bin/check_tftp --connect %h");
    assertThat(one.timeout()).isEqualTo(Duration.ofSeconds(6));
    assertThat(one.reentryCount()).isEqualTo(2);
    assertThat(one.quiesceServer()).isTrue();
    assertThat(one.address().orElseThrow().address())
        .isEqualTo(InetAddress.getByName("203.0.113.10"));
    assertThat(one.address().orElseThrow().device()).isEqualTo("eth0:1");
    assertThat(one.servers()).extracting(RealServer::port).containsExactly(69, 69);
    assertThat(pair.toBuilder().build()).isEqualTo(pair);
  }

  @Test
  void the_quirks_example_reads_hex_octal_and_single_quotes_as_piranha_does() throws Exception {
    ParsedConfig pc = PARSER.parse(examples().resolve("valid/defaults-and-quirks.lvs.cf"));
    GlobalSettings g = pc.config().global();
    assertThat(g.keepalive()).isEqualTo(Duration.ofSeconds(2));
    assertThat(g.deadtime()).isEqualTo(Duration.ofSeconds(8));
    assertThat(pc.warnings())
        .anySatisfy(
            w -> assertThat(w.toString()).contains(":6:12: warning: 'deadtime = 010' is octal"));
    VirtualService dns = pc.config().virtuals().get(0);
    assertThat(dns.sendProgram())
        .contains("/usr/lib/nagios/plugins/check_dns -H example.org -s %h");
    assertThat(dns.expect()).contains("DNS OK");
    assertThat(dns.scheduler()).isEqualTo(Scheduler.WLC);
    assertThat(dns.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(dns.reentry()).isEqualTo(Duration.ofSeconds(180));
    assertThat(g.network()).isEqualTo(Network.NAT);
    assertThat(g.heartbeatPort()).isEqualTo(539);
    assertThat(g.hardShutdown()).isTrue();
    assertThat(pc.config().failovers()).hasSize(1);
    VirtualService ftp = pc.config().failovers().get(0);
    assertThat(ftp.send()).contains("\\n");
    assertThat(Escapes.translate(ftp.send().orElseThrow())).isEqualTo("\n");
    assertThat(ftp.startCmd()).contains("/etc/init.d/vsftpd start");
    assertThat(pc.config().activeVirtuals()).containsExactly(dns);
  }

  @Test
  void an_unreadable_file_is_a_config_error_not_an_io_exception() {
    assertThatThrownBy(() -> PARSER.parse(Path.of("/nonexistent/lvs.cf")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("/nonexistent/lvs.cf:1:1: error: cannot read the file: no such file");
  }
}
