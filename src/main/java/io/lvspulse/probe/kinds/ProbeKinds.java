package io.lvspulse.probe.kinds;

import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeKind;
import io.lvspulse.probe.ProbeSource;
import io.lvspulse.probe.program.ProgramKind;
import io.lvspulse.probe.socket.SocketKind;
import io.lvspulse.probe.tftp.TftpKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The probe kinds lvs-pulse knows, in the one list below, and the {@link ProbeSource} the daemon
 * runs: for each server the first kind whose {@link ProbeKind#tryBuild} answers builds its probe.
 * More specific kinds come first. Every probe's timeout is {@link ProbeSpec#timeout()}.
 *
 * <p>The kinds opened by {@link #open()} own their engines (one TFTP selector thread per CPU, one
 * socket selector thread); {@link #close()} closes them.
 */
public final class ProbeKinds implements ProbeSource, AutoCloseable {
  /** Every probe kind, in the order they are asked. A new kind is one more line here. */
  static final List<ProbeKind.Opener> KINDS =
      List.of(
          TftpKind::open, // send_program = check_tftp ...: the native TFTP probe
          ProgramKind::open, // any other send_program: run it
          SocketKind::open); // no send_program: nanny's TCP/UDP send/expect

  private final List<ProbeKind> kinds;

  /** These kinds, closed with this source. */
  ProbeKinds(List<ProbeKind> kinds) {
    this.kinds = List.copyOf(kinds);
  }

  /** Opens every kind of {@link #KINDS} with its engine. */
  public static ProbeKinds open() throws IOException {
    List<ProbeKind> opened = new ArrayList<>();
    try {
      for (ProbeKind.Opener k : KINDS) {
        opened.add(k.open());
      }
    } catch (IOException | RuntimeException e) {
      closeAll(opened);
      throw e;
    }
    return new ProbeKinds(opened);
  }

  @Override
  public ConfiguredProbe create(ProbeSpec spec, RealServer server) {
    try {
      for (ProbeKind k : kinds) {
        Optional<ConfiguredProbe> p = k.tryBuild(spec, server);
        if (p.isPresent()) {
          return p.get();
        }
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("server " + server.name() + ": " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("server " + server.name() + ": no probe kind handles it");
  }

  /** Closes every kind (probes in flight end with LOCAL_ERROR). */
  @Override
  public void close() {
    closeAll(kinds);
  }

  private static void closeAll(List<ProbeKind> kinds) {
    for (int i = kinds.size() - 1; i >= 0; i--) {
      kinds.get(i).close();
    }
  }
}
