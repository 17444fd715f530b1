package io.lvspulse.daemon;

import io.lvspulse.probe.kinds.ProbeKinds;

/** Creates a daemon with the production probe engines. */
public final class Launcher {
  private Launcher() {}

  public static Daemon create(DaemonOptions options) throws Daemon.StartupException {
    return Daemon.create(options, ProbeKinds::open);
  }
}
