package io.lvspulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {
  @TempDir Path tmp;

  Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void a_valid_file_exits_zero_with_a_one_line_summary_and_warnings_on_stderr() {
    CliRun r = CliRun.of("check-config", "etc/lvs.cf");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "etc/lvs.cf: valid: 1 virtual service (1 active), 2 real servers (2 active), 0 failover services,"
                + " service lvs, network direct, 1 warning"
                + System.lineSeparator());
    assertThat(r.err()).startsWith("etc/lvs.cf:84:22: warning: quiesce_server with persistent");
  }

  @Test
  void a_file_without_warnings_prints_nothing_on_stderr() throws Exception {
    Path f =
        write(
            "ok.cf",
            "virtual w {\n active = 1\n address = 203.0.113.5 eth0:1\n"
                + " server a {\n  address = 10.0.0.9\n  active = 1\n }\n}\n");
    CliRun r = CliRun.of("check-config", f.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .endsWith(
            ": valid: 1 virtual service (1 active), 1 real server (1 active), 0 failover services, service lvs, network nat, 0 warnings"
                + System.lineSeparator());
  }

  @Test
  void a_file_with_hundreds_of_errors_prints_the_first_hundred_and_counts_them_all()
      throws Exception {
    StringBuilder b = new StringBuilder("virtual a {\n}\n".repeat(700));
    for (int i = 0; i < 150; i++) {
      b.append("virtual w").append(i).append(" {\n server s {\n  address = 10.0.0.1\n");
      b.append("  weight = 0\n  active = 1\n }\n}\n");
    }
    CliRun r = CliRun.of("check-config", write("many.cf", b.toString()).toString());
    assertThat(r.exit()).isEqualTo(1);
    var lines = r.err().lines().toList();
    assertThat(lines).hasSize(100 + 1 + 100 + 1 + 1);
    assertThat(lines).filteredOn(l -> l.contains("more errors not shown")).hasSize(1);
    assertThat(lines).filteredOn(l -> l.contains("more warnings not shown")).hasSize(1);
    assertThat(lines.get(lines.size() - 1)).endsWith(": invalid: 699 errors, 150 warnings");
  }

  @Test
  void an_invalid_file_exits_one_and_prints_every_error_on_stderr() throws Exception {
    Path f = write("bad.cf", "keepalive = x\nvirtual w {\n scheduler = fo\n}\n");
    CliRun r = CliRun.of("check-config", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .containsExactly(
            f
                + ":1:13: error: bad number for 'keepalive': 'x' is not a number (expected an integer: decimal, 0x hex, or leading-0 octal)",
            f
                + ":3:14: error: unknown scheduler 'fo': expected one of lc rr wlc wrr lblc lblcr dh sh sed nq mh",
            f + ": invalid: 2 errors, 0 warnings");
  }

  @Test
  void every_shared_invalid_example_exits_one_at_its_line() throws Exception {
    Path dir = Examples.file("invalid");
    try (var s = Files.list(dir)) {
      for (Path f : s.sorted().toList()) {
        String line = Files.readAllLines(f).get(0).replaceAll("\\D", "");
        CliRun r = CliRun.of("check-config", f.toString());
        assertThat(r.exit()).as(f.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith(f + ":" + line + ":");
      }
    }
  }

  @Test
  void a_missing_file_is_an_error_not_a_crash() {
    CliRun r = CliRun.of("check-config", "/nonexistent/lvs.cf");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("/nonexistent/lvs.cf:1:1: error: cannot read the file: no such file");
  }

  @Test
  void no_file_or_too_many_arguments_is_a_usage_error_with_exit_two() {
    assertThat(CliRun.of("check-config").exit()).isEqualTo(2);
    assertThat(CliRun.of("check-config", "a", "b").exit()).isEqualTo(2);
    assertThat(CliRun.of("check-config", "--bogus", "a").exit()).isEqualTo(2);
  }

  @Test
  void help_describes_the_command_and_exits_zero() {
    CliRun r = CliRun.of("check-config", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("Usage: lvs-pulse check-config", "FILE:LINE:COL: error: MESSAGE", "Exit codes:");
  }
}
