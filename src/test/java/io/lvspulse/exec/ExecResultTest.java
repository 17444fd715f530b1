package io.lvspulse.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecResultTest {
  private static ExecResult failed(String stderr) {
    return new ExecResult(
        List.of("active_cmd"), 1, false, null, "", stderr, false, Duration.ZERO, Duration.ZERO);
  }

  @Test
  void a_programs_stderr_reaches_the_log_line_escaped_and_cut() {
    assertThat(failed("\n  boom\u001b[2J\u0007 \u202eevil\n next").describe())
        .isEqualTo("exit 1: boom\\x1b[2J\\x07 \\u202eevil");
    assertThat(failed("e".repeat(10_000)).describe())
        .isEqualTo("exit 1: " + "e".repeat(200) + "...(10000 characters)");
  }
}
