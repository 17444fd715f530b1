package io.lvspulse.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ExecRunner#launch}: long-running processes under the same watchdog as {@code run}. */
class ExecProcessTest {
  private final ExecRunner runner = new ExecRunner();
  private final List<ExecProcess> launched = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (ExecProcess p : launched) {
      p.stop(Duration.ZERO);
    }
  }

  private ExecProcess launch(Duration timeout, ExecProcess.Options o, String... command)
      throws IOException {
    ExecProcess p = runner.launch(ExecRequest.of(timeout, command), o);
    launched.add(p);
    return p;
  }

  @Test
  void stdout_lines_arrive_while_it_runs_and_closing_stdin_ends_a_process_that_reads_it()
      throws Exception {
    ExecProcess p =
        launch(
            Duration.ofSeconds(30),
            ExecProcess.Options.lines(),
            "sh",
            "-c",
            "echo READY 3; cat >/dev/null; echo bye");

    assertThat(p.readLine(Duration.ofSeconds(10))).contains("READY 3");
    assertThat(p.isAlive()).isTrue();
    assertThat(p.exitCode()).isEmpty();

    p.closeStdin();

    assertThat(p.waitFor(Duration.ofSeconds(10))).isTrue();
    assertThat(p.readLine(Duration.ofSeconds(5))).contains("bye");
    assertThat(p.onExit().get().succeeded()).isTrue();
    assertThat(p.exitCode()).hasValue(0);
  }

  @Test
  void stdout_and_stderr_go_to_one_file(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("out.log");
    ExecProcess p =
        launch(
            Duration.ofSeconds(30),
            ExecProcess.Options.toFile(log),
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3");

    assertThat(p.waitFor(Duration.ofSeconds(10))).isTrue();
    ExecResult r = p.onExit().get();
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.timedOut()).isFalse();
    assertThat(Files.readAllLines(log)).containsExactlyInAnyOrder("out", "err");
  }

  @Test
  void stop_asks_with_sigterm_and_then_kills_the_whole_tree_after_the_grace_time()
      throws Exception {
    // The shell ignores SIGTERM and waits on a grandchild that would outlive it.
    ExecProcess p =
        launch(
            Duration.ofMinutes(5),
            ExecProcess.Options.lines(),
            "sh",
            "-c",
            "trap '' TERM; sleep 300 & echo $!; wait");
    long sleepPid = Long.parseLong(p.readLine(Duration.ofSeconds(10)).orElseThrow().strip());
    assertThat(ProcessHandle.of(sleepPid)).isPresent();

    long t0 = System.nanoTime();
    assertThat(p.stop(Duration.ofMillis(300))).isPresent();

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(p.isAlive()).isFalse();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(sleepPid).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void the_watchdog_bounds_the_life_of_a_launched_process() throws Exception {
    ExecProcess p = launch(Duration.ofMillis(500), ExecProcess.Options.discard(), "sleep", "60");

    assertThat(p.waitFor(Duration.ofSeconds(10))).isTrue();
    ExecResult r = p.onExit().get();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.describe()).startsWith("timed out after 0.5s");
  }

  @Test
  void a_missing_binary_cannot_be_launched_and_stdin_bytes_are_refused() {
    assertThatThrownBy(
            () ->
                runner.launch(
                    ExecRequest.of(Duration.ofSeconds(5), "/nonexistent/lvsp-launch"),
                    ExecProcess.Options.discard()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("could not start");
    assertThatThrownBy(
            () ->
                runner.launch(
                    ExecRequest.of(Duration.ofSeconds(5), "cat").withStdin(new byte[] {1}),
                    ExecProcess.Options.discard()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
