package io.lvspulse.daemon;

/** Creates a daemon with the production probe engines. */
public final class Launcher {
  private Launcher() {}

  public static Daemon create(DaemonOptions options) throws Daemon.StartupException {
    return Daemon.create(options, FactoryProbeSource.production());
  }
}
