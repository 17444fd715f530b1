package io.lvspulse.probe;

import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import java.io.IOException;
import java.util.Optional;

/**
 * One kind of health check (native TFTP, external program, TCP/UDP socket...), as keepalived's
 * checkers each register themselves: it recognises the {@link ProbeSpec}s it handles and builds
 * their probes on its own engine. Kinds are tried in the order of the one list in {@code
 * io.lvspulse.probe.kinds.ProbeKinds}; the first that answers builds the probe.
 *
 * <p>A kind reads only the spec and the server, so every setting it uses is part of the spec and a
 * reload that changes it gets a new probe.
 */
public interface ProbeKind extends AutoCloseable {
  /**
   * The probe for {@code server} under {@code spec}, or empty when this kind does not handle the
   * spec (the next kind is asked).
   *
   * @throws IllegalArgumentException for settings the parser refuses
   */
  Optional<ConfiguredProbe> tryBuild(ProbeSpec spec, RealServer server);

  /** Stops the kind's engine, if it owns one (probes in flight end with LOCAL_ERROR). */
  @Override
  default void close() {}

  /** Opens a kind with its engine: one entry of the list of kinds. */
  @FunctionalInterface
  interface Opener {
    ProbeKind open() throws IOException;
  }
}
