package io.lvspulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs the benchmark tiny, to show it works; the numbers come from running it for real
 * (docs/benchmarks.md).
 */
class IpvsBenchCommandTest {
  @Command(name = "bench")
  static final class Parent implements Runnable {
    @Override
    public void run() {}
  }

  @Test
  void the_command_attaches_under_a_bench_parent_and_prints_a_markdown_row_for_the_local_double() {
    CommandLine cl = new CommandLine(new Parent()).addSubcommand(new IpvsBenchCommand());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));

    int exit = cl.execute("ipvs", "--changes", "20", "--vm-changes", "0", "--repeat", "1");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("| target | weight changes |")
        .containsPattern(
            "\\| local fake ipvsadm \\(fork\\+exec only\\) \\| 20 \\| [0-9.]+ s \\| [0-9.]+ s \\|");
  }
}
