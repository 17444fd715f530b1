package io.lvspulse.monitor;

import java.util.Optional;

/**
 * Whether this director can check its servers at all: the input for a failover layer that hands the
 * VIPs to a healthy partner while this one has a local problem (Piranha's CHILDFAIL idea, here for
 * resource faults).
 *
 * <p>{@link HealthMonitor} implements it: a {@link LocalProblem} starts with the first probe that
 * failed for a fault of this host ({@link io.lvspulse.probe.FailureCause#LOCAL_ERROR}) and ends
 * when none has arrived for {@link HealthMonitor#localProblemHold} (twice the longest probe
 * interval, at least 10 s). Reads are lock-free and never wait for the monitor's thread; {@code
 * listener}s run on that thread at each start and end, so they must not block.
 */
public interface LocalHealth {
  /** The current local problem, if there is one. */
  Optional<LocalProblem> localProblem();

  /** Calls {@code listener} with the new value whenever a local problem starts or ends. */
  void onLocalProblemChange(java.util.function.Consumer<Optional<LocalProblem>> listener);
}
