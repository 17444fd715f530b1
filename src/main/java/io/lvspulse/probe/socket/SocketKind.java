package io.lvspulse.probe.socket;

import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.Protocol;
import io.lvspulse.config.RealServer;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeKind;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * nanny's built-in socket probe, for a virtual service without {@code send_program}: TCP or UDP
 * send/expect on the shared {@link SocketProbeEngine}, with nanny's HTTP default for a virtual
 * {@code port} of 80 ({@link SocketCheck#forSpec}).
 */
public final class SocketKind implements ProbeKind {
  private final SocketProbeEngine engine;
  private final boolean ownsEngine;

  /** The kind on an engine the caller owns (and closes). */
  public SocketKind(SocketProbeEngine engine) {
    this(engine, false);
  }

  private SocketKind(SocketProbeEngine engine, boolean ownsEngine) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.ownsEngine = ownsEngine;
  }

  /** The kind with its own engine (one selector thread), closed by {@link #close()}. */
  public static SocketKind open() throws IOException {
    return new SocketKind(new SocketProbeEngine(), true);
  }

  @Override
  public Optional<ConfiguredProbe> tryBuild(ProbeSpec spec, RealServer server) {
    if (spec.sendProgram().isPresent()) {
      return Optional.empty();
    }
    SocketCheck check = SocketCheck.forSpec(spec, server);
    return Optional.of(
        new ConfiguredProbe(
            check.protocol() == Protocol.UDP ? "udp" : "tcp",
            check.describe(),
            engine.probeFor(check)));
  }

  /** The engine (tests count its probes in flight). */
  public SocketProbeEngine engine() {
    return engine;
  }

  @Override
  public void close() {
    if (ownsEngine) {
      engine.close();
    }
  }
}
