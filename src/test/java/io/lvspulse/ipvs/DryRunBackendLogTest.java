package io.lvspulse.ipvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: the dry-run backend kept every command line it ever logged, so a long run grew
 * without bound.
 */
class DryRunBackendLogTest {
  @Test
  void the_command_log_keeps_only_the_newest_lines() {
    DryRunBackend b = new DryRunBackend();
    int n = DryRunBackend.COMMAND_LOG_LIMIT + 500;
    for (int i = 1; i <= n; i++) {
      b.setTimeouts(
          new IpvsTimeouts(Duration.ofSeconds(i), Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }
    List<String> log = b.commandLog();
    assertThat(log).hasSize(DryRunBackend.COMMAND_LOG_LIMIT);
    assertThat(log.get(log.size() - 1)).startsWith("ipvsadm --set " + n + " ");
    assertThat(log.get(0)).startsWith("ipvsadm --set 501 ");
  }
}
