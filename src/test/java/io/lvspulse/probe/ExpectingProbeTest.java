package io.lvspulse.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExpectingProbeTest {
  private static ProbeResult run(Probe p) throws Exception {
    return p.start().get(10, TimeUnit.SECONDS);
  }

  @Test
  void expecting_probe_passes_failures_through_untouched() throws Exception {
    ProbeResult failure =
        ProbeResult.failure(FailureCause.TIMEOUT, "no answer", Duration.ofSeconds(1));
    ExpectingProbe p =
        new ExpectingProbe(
            () -> CompletableFuture.completedFuture(failure), ExpectMatcher.exact("OK"));
    assertThat(run(p)).isSameAs(failure);
    ExpectingProbe nl =
        new ExpectingProbe(
            () -> CompletableFuture.completedFuture(ProbeResult.ok("OK\n", Duration.ZERO)),
            ExpectMatcher.exact("OK"));
    assertThat(run(nl).success()).as("one trailing newline is removed first").isTrue();
  }
}
