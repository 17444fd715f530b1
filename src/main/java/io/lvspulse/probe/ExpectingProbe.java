package io.lvspulse.probe;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Applies {@code expect} to the message of a successful result of a program-compatible probe (the
 * native TFTP probe stands in for {@code check_tftp}, whose stdout nanny compared with {@code
 * expect}). A failure stays the same failure; a success whose message does not match becomes {@link
 * FailureCause#UNEXPECTED_REPLY}.
 */
public final class ExpectingProbe implements Probe {
  private final Probe inner;
  private final ExpectMatcher expect;

  public ExpectingProbe(Probe inner, ExpectMatcher expect) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.expect = Objects.requireNonNull(expect, "expect");
  }

  @Override
  public CompletableFuture<ProbeResult> start() {
    return inner.start().thenApply(this::judge);
  }

  ProbeResult judge(ProbeResult r) {
    if (!r.success()) {
      return r;
    }
    String output = ExpectMatcher.stripOneTrailingNewline(r.message());
    if (expect.matches(output)) {
      return r;
    }
    return ProbeResult.failure(
        FailureCause.UNEXPECTED_REPLY,
        "\"" + ExpectMatcher.printable(output, 120) + "\" does not match " + expect.describe(),
        r.elapsed());
  }
}
