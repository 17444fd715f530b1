package io.lvspulse.probe.socket;

import io.lvspulse.probe.Probe;
import io.lvspulse.probe.ProbeResult;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * nanny's built-in TCP/UDP probe of one real server: a {@link SocketCheck} run on a shared {@link
 * SocketProbeEngine} each time it is started.
 *
 * @param engine the shared engine (one selector thread for every socket probe)
 * @param check what to connect to, send and expect
 */
public record SocketProbe(SocketProbeEngine engine, SocketCheck check) implements Probe {
  public SocketProbe {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(check, "check");
  }

  @Override
  public CompletableFuture<ProbeResult> start() {
    return engine.probe(check);
  }

  /** See {@link SocketCheck#describe()}. */
  public String describe() {
    return check.describe();
  }
}
