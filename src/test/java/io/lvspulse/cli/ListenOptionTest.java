package io.lvspulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ListenOptionTest {
  private static ListenOption option(String value) {
    ListenOption o = new ListenOption();
    o.listen = value;
    return o;
  }

  @Test
  void an_ipv4_and_a_bracketed_ipv6_address_with_a_port_are_accepted() {
    StringWriter err = new StringWriter();
    assertThat(option("127.0.0.1:9539").address(new PrintWriter(err), "run"))
        .contains(new InetSocketAddress("127.0.0.1", 9539));
    assertThat(option("[::1]:80").address(new PrintWriter(err), "run"))
        .contains(new InetSocketAddress("::1", 80));
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void a_bad_value_is_reported_once_with_the_commands_name_and_gives_no_address() {
    StringWriter err = new StringWriter();
    PrintWriter pw = new PrintWriter(err, true);
    assertThat(option("9539").address(pw, "demo")).isEmpty();
    assertThat(option("localhost:http").address(pw, "run")).isEmpty();
    assertThat(option("localhost:70000").address(pw, "run")).isEmpty();
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "lvs-pulse demo: --listen must be ADDRESS:PORT, e.g. 127.0.0.1:9539, not '9539'",
            "lvs-pulse run: --listen has a bad port in 'localhost:http'",
            "lvs-pulse run: --listen port out of range in 'localhost:70000'");
  }

  @Test
  void run_and_demo_both_offer_listen_with_the_same_default() {
    for (Object command : new Object[] {new RunCommand(), new DemoCommand()}) {
      CommandLine cl = new CommandLine(command);
      assertThat(cl.getCommandSpec().findOption("--listen").defaultValue())
          .isEqualTo("127.0.0.1:9539");
    }
  }
}
