package io.lvspulse.daemon;

import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.monitor.ProbeSource;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.Probe;
import io.lvspulse.probe.ProbeFactory;

/** Adapts the probe package's {@link ProbeFactory} to the monitor's {@link ProbeSource}. */
final class FactoryProbeSource implements ProbeSource, AutoCloseable {
  private final ProbeFactory factory;

  FactoryProbeSource(ProbeFactory factory) {
    this.factory = factory;
  }

  @Override
  public Probe create(VirtualService virtual, RealServer server) {
    return factory.probeFor(virtual, server);
  }

  @Override
  public String describe(VirtualService virtual, RealServer server) {
    return factory.probeFor(virtual, server).description();
  }

  @Override
  public String describe(VirtualService virtual, RealServer server, Probe probe) {
    return probe instanceof ConfiguredProbe c ? c.description() : describe(virtual, server);
  }

  @Override
  public void close() {
    factory.close();
  }

  /** The production probe engines (TFTP, socket, program). */
  static Daemon.ProbeSourceFactory production() {
    return () -> new FactoryProbeSource(ProbeFactory.open());
  }
}
