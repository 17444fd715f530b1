package io.lvspulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.Examples;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void
      the_example_config_plans_exactly_the_lines_piranhas_lvsd_and_nanny_would_add_without_the_flush() {
    Run r = run("plan", Path.of("etc/lvs.cf").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .containsExactly(
            "-A -f 1 -s wlc -p 45",
            "-a -f 1 -r 10.0.0.2:0 -g -w 1",
            "-a -f 1 -r 10.0.0.3:0 -g -w 1");
  }

  @Test
  void
      the_one_line_tftp_example_gives_the_same_table_as_piranha_adds_with_nat_forwarding_by_default() {
    Run r = run("plan", Examples.file("valid/tftp-one-line.lvs.cf").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    // No global `network` in that file: Piranha's default is nat, so -m.
    assertThat(r.out().lines())
        .containsExactly(
            "-A -f 1 -s wlc -p 45",
            "-a -f 1 -r 10.0.0.2:69 -m -w 1",
            "-a -f 1 -r 10.0.0.3:69 -m -w 1");
  }

  @Test
  void non_fwmark_services_use_protocol_and_vip_and_pmask_only_with_persistence() {
    Run r = run("plan", Examples.file("valid/nat-web.lvs.cf").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .containsExactly(
            "-A -t 203.0.113.20:80 -s wrr",
            "-a -t 203.0.113.20:80 -r 10.2.0.11:80 -m -w 3",
            "-a -t 203.0.113.20:80 -r 10.2.0.12:8080 -m -w 1",
            "-A -t 203.0.113.20:25 -s lc -p 300 -M 255.255.255.0",
            "-a -t 203.0.113.20:25 -r 10.2.0.21:25 -m -w 1");
  }

  @Test
  void inactive_servers_and_virtuals_are_left_out_and_tunnel_uses_dash_i(@TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("t.cf");
    Files.writeString(
        f,
        String.join(
            "\n",
            "network = tunnel",
            "virtual off {",
            "  active = 0",
            "  address = 198.51.100.9 eth0:9",
            "}",
            "virtual dns {",
            "  active = 1",
            "  address = 198.51.100.10 eth0:1",
            "  protocol = udp",
            "  port = 53",
            "  scheduler = rr",
            "  persistent = 60",
            "  pmask = 255.255.255.255",
            "  send_program = \"/bin/true %h\"",
            "  expect = \"\"",
            "  server a {",
            "    address = 10.9.0.1",
            "    active = 1",
            "    weight = 100",
            "  }",
            "  server b {",
            "    address = 10.9.0.2",
            "    active = 0",
            "  }",
            "}",
            ""));
    Run r = run("plan", f.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .containsExactly(
            "-A -u 198.51.100.10:53 -s rr -p 60",
            "-a -u 198.51.100.10:53 -r 10.9.0.1:53 -i -w 100");

    Run entry = run("plan", "--entry-weights", f.toString());
    assertThat(entry.out().lines()).contains("-a -u 198.51.100.10:53 -r 10.9.0.1:53 -i -w 3");
  }

  @Test
  void an_invalid_config_exits_one_with_its_errors_and_prints_no_plan(@TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("bad.cf");
    Files.writeString(f, "virtual v {\n  active = 1\n  scheduler = fair\n}\n");
    Run r = run("plan", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(f + ":3:").contains("error:");
  }

  @Test
  void in_ecmp_mode_the_plan_is_mh_with_every_server_added_last_first(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path f = dir.resolve("e.cf");
    java.nio.file.Files.writeString(
        f,
        "director_mode = ecmp\nnetwork = direct\nudp_timeout = 10\nvirtual t {\n active = 1\n"
            + " address = 203.0.113.10 lo\n fwmark = 1\n port = 69\n protocol = udp\n"
            + " scheduler = mh\n send_program = \"/bin/true %h\"\n"
            + " server b {\n  address = 10.0.0.3\n  active = 1\n }\n"
            + " server a {\n  address = 10.0.0.2\n  active = 1\n }\n}\n");
    CliRun r = CliRun.of("plan", f.toString());
    org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.err()).isZero();
    org.assertj.core.api.Assertions.assertThat(r.out().lines().toList())
        .containsExactly(
            "-A -f 1 -s mh -b mh-fallback",
            "-a -f 1 -r 10.0.0.3:0 -g -w 1",
            "-a -f 1 -r 10.0.0.2:0 -g -w 1");
  }
}
