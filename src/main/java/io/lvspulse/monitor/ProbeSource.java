package io.lvspulse.monitor;

import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.probe.Probe;

/** Builds the probe for one real server of one virtual service (the probe package's factory). */
public interface ProbeSource {
  /** A new probe for {@code server} of {@code virtual}; started once per scheduled run. */
  Probe create(VirtualService virtual, RealServer server);

  /** A short description for logs and /status, e.g. {@code tftp connect 10.0.0.2:69}. */
  String describe(VirtualService virtual, RealServer server);

  /**
   * The description of {@code probe}, just built by {@link #create} for {@code server}: a source
   * whose probes know their description returns that string instead of building another one.
   */
  default String describe(VirtualService virtual, RealServer server, Probe probe) {
    return describe(virtual, server);
  }
}
