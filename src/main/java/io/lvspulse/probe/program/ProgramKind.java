package io.lvspulse.probe.program;

import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeKind;
import java.util.Objects;
import java.util.Optional;

/** Any {@code send_program}: {@link ProgramProbe} on the shared {@link ExecRunner}. */
public final class ProgramKind implements ProbeKind {
  private final ExecRunner runner;

  public ProgramKind(ExecRunner runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /** The kind with its own runner. */
  public static ProgramKind open() {
    return new ProgramKind(new ExecRunner());
  }

  /**
   * Kills the process groups of programs still running (a stop): nothing a check started outlives
   * the daemon.
   */
  @Override
  public void close() {
    runner.killProcessGroups();
  }

  @Override
  public Optional<ConfiguredProbe> tryBuild(ProbeSpec spec, RealServer server) {
    if (spec.sendProgram().isEmpty()) {
      return Optional.empty();
    }
    ProgramProbe p = ProgramProbe.forSpec(runner, spec, server);
    return Optional.of(new ConfiguredProbe("program", p.describe(), p));
  }
}
