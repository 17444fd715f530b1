package io.lvspulse.probe;

import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;

/**
 * Makes the probe for one real server: what the monitor calls once per server (and again only when
 * a reload changes the {@link ProbeSpec}). The production source is {@code
 * io.lvspulse.probe.kinds.ProbeKinds}; tests pass a lambda.
 */
@FunctionalInterface
public interface ProbeSource {
  /**
   * The probe for {@code server} under {@code spec}, started once per scheduled run.
   *
   * @throws IllegalArgumentException for settings the parser refuses (a config it accepted never
   *     throws)
   */
  ConfiguredProbe create(ProbeSpec spec, RealServer server);
}
