package io.lvspulse.probe;

import java.util.concurrent.CompletableFuture;

/**
 * One configured health check of one server, started as often as the schedule says.
 *
 * <p>Contract: {@link #start()} never blocks the caller; the returned future never completes
 * exceptionally and always completes within the probe's timeout plus a small margin. Every failure
 * is a {@link ProbeResult} with a {@link FailureCause}.
 */
public interface Probe {
  /** Starts one run of the probe. */
  CompletableFuture<ProbeResult> start();
}
