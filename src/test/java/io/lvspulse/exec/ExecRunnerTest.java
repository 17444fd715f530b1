package io.lvspulse.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecRunnerTest {
  private final ExecRunner runner = new ExecRunner();

  static String fixture(String name) {
    try {
      return Path.of(ExecRunnerTest.class.getResource("/exec/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_successful_command_returns_its_output_and_exit_zero() {
    ExecResult r = runner.run(ExecRequest.of(Duration.ofSeconds(10), "sh", "-c", "echo hello"));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("hello\n");
    assertThat(r.describe()).isEqualTo("ok");
  }

  @Test
  void stdin_bytes_reach_the_process_and_environment_additions_are_visible() {
    ExecResult r =
        runner.run(
            ExecRequest.of(Duration.ofSeconds(10), "sh", fixture("echo-stdin.sh"), "a b", "*")
                .withStdin("line1\nline2\n".getBytes(StandardCharsets.UTF_8))
                .withEnv("EXTRA", "x y"));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.stdout()).isEqualTo("line1\nline2\n");
    // "a b" stays one argument and "*" is not globbed: no shell between us and the program
    assertThat(r.stderr()).isEqualTo("args: a b * extra: x y\n");
  }

  @Test
  void a_non_zero_exit_is_a_result_described_with_the_first_stderr_line() {
    ExecResult r =
        runner.run(
            ExecRequest.of(
                Duration.ofSeconds(10),
                "sh",
                "-c",
                "echo 'Can'\\''t initialize ipvs: Protocol not available' >&2; echo second >&2; exit 2"));

    assertThat(r.succeeded()).isFalse();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.describe()).isEqualTo("exit 2: Can't initialize ipvs: Protocol not available");
  }

  @Test
  void a_process_killed_by_a_signal_is_described_as_such() {
    ExecResult r = runner.run(ExecRequest.of(Duration.ofSeconds(10), "sh", "-c", "kill -9 $$"));

    assertThat(r.succeeded()).isFalse();
    assertThat(r.killedBySignal()).isTrue();
    assertThat(r.describe()).isEqualTo("killed by signal 9");
  }

  /**
   * Regression: Commons Exec's ExecuteWatchdog kills only the direct child, so {@code sh -c "sleep
   * 6"} with a 1 s watchdog returned after 6 s (build-facts.md). The tree-killing watchdog ends it
   * at the timeout.
   */
  @Test
  void the_watchdog_ends_sh_c_sleep_at_the_timeout_not_when_sleep_finishes() {
    ExecResult r =
        runner.run(ExecRequest.of(Duration.ofSeconds(1), "sh", "-c", "sleep 6; echo never"));

    assertThat(r.timedOut()).isTrue();
    assertThat(r.succeeded()).isFalse();
    assertThat(r.duration()).isLessThan(Duration.ofSeconds(4));
    assertThat(r.describe()).isEqualTo("timed out after 1s (process tree killed)");
  }

  @Test
  void the_watchdog_kills_a_grandchild_that_holds_stdout_open(@TempDir Path tmp) throws Exception {
    Path pidFile = tmp.resolve("child.pid");

    ExecResult r =
        runner.run(
            ExecRequest.of(
                Duration.ofSeconds(1), "sh", fixture("spawn-and-hang.sh"), pidFile.toString()));

    assertThat(r.timedOut()).isTrue();
    assertThat(r.stdout()).isEqualTo("started\n");
    assertThat(r.duration()).isLessThan(Duration.ofSeconds(4));
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    // SIGKILL is asynchronous: give the kernel a bounded moment to reap it
    var handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      handle.get().onExit().get(5, TimeUnit.SECONDS);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
  }

  @Test
  void captured_output_is_bounded_and_flagged_as_truncated() {
    ExecResult r =
        runner.run(
            ExecRequest.of(Duration.ofSeconds(20), "sh", fixture("noisy.sh"))
                .withMaxOutputBytes(1000));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.stdout()).hasSize(1000);
    assertThat(r.outputTruncated()).isTrue();
  }

  @Test
  void a_missing_binary_is_a_start_failure_result_not_an_exception() throws Exception {
    ExecResult r =
        runner
            .start(ExecRequest.of(Duration.ofSeconds(5), "/nonexistent/lvs-pulse-no-such-binary"))
            .get(10, TimeUnit.SECONDS);

    assertThat(r.succeeded()).isFalse();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.startFailure()).isNotNull();
    assertThat(r.describe()).startsWith("could not start: ").contains("lvs-pulse-no-such-binary");
  }

  @Test
  void start_runs_asynchronously_and_completes_with_the_result() throws Exception {
    var f =
        runner.start(ExecRequest.of(Duration.ofSeconds(10), "sh", "-c", "sleep 0.2; echo done"));

    assertThat(f.isDone()).isFalse();
    ExecResult r = f.get(10, TimeUnit.SECONDS);
    assertThat(r.stdout()).isEqualTo("done\n");
  }

  @Test
  void a_request_copies_its_inputs_and_rejects_a_non_positive_timeout() {
    byte[] in = {1, 2};
    ExecRequest req = ExecRequest.of(Duration.ofSeconds(1), List.of("true")).withStdin(in);
    in[0] = 9;
    assertThat(req.stdin()).containsExactly(1, 2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExecRequest.of(Duration.ZERO, "true"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
