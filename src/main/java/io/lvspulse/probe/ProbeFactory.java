package io.lvspulse.probe;

import io.lvspulse.config.Escapes;
import io.lvspulse.config.Protocol;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.probe.program.ProgramProbe;
import io.lvspulse.probe.socket.SocketCheck;
import io.lvspulse.probe.socket.SocketProbeEngine;
import io.lvspulse.probe.tftp.CheckTftpCommandLine;
import io.lvspulse.probe.tftp.TftpCheck;
import io.lvspulse.probe.tftp.TftpProbeEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the {@link Probe} nanny would run for one (virtual service, real server), on shared
 * engines:
 *
 * <ol>
 *   <li>{@code send_program} recognised by {@link CheckTftpCommandLine} ({@code check_tftp
 *       --connect %h}, {@code --get %h FILE SIZE}, any path): the native TFTP probe on the shared
 *       {@link TftpProbeEngine}. Its message ({@code OK - answer from server} on success) is then
 *       matched against {@code expect} as program output is (exact after removing one trailing
 *       newline; regex with {@code use_regex}); a TFTP failure stays that failure; a success whose
 *       message does not match is {@link FailureCause#UNEXPECTED_REPLY}. No {@code expect}: the
 *       TFTP result as it is.
 *   <li>any other {@code send_program}: {@link ProgramProbe} on the shared {@link ExecRunner}.
 *   <li>otherwise nanny's socket probe on the shared {@link SocketProbeEngine}, with nanny's HTTP
 *       default for a virtual {@code port} of 80 ({@link SocketCheck#forService}).
 * </ol>
 *
 * Every probe's timeout is {@link VirtualService#probeTimeout()}. A factory from {@link #open()}
 * owns its engines and closes them in {@link #close()}; one built from engines only borrows them.
 */
public final class ProbeFactory implements AutoCloseable {
  private final TftpProbeEngine tftp;
  private final SocketProbeEngine sockets;
  private final ExecRunner exec;
  private final boolean ownsEngines;
  private final Map<MatcherKey, ExpectMatcher> outputMatchers = new ConcurrentHashMap<>();

  /** A factory on engines the caller owns (and closes). */
  public ProbeFactory(TftpProbeEngine tftp, SocketProbeEngine sockets, ExecRunner exec) {
    this(tftp, sockets, exec, false);
  }

  private ProbeFactory(
      TftpProbeEngine tftp, SocketProbeEngine sockets, ExecRunner exec, boolean ownsEngines) {
    this.tftp = Objects.requireNonNull(tftp, "tftp");
    this.sockets = Objects.requireNonNull(sockets, "sockets");
    this.exec = Objects.requireNonNull(exec, "exec");
    this.ownsEngines = ownsEngines;
  }

  /** A factory with its own engines (one TFTP selector thread, one socket selector thread). */
  public static ProbeFactory open() throws IOException {
    TftpProbeEngine tftp = new TftpProbeEngine();
    try {
      return new ProbeFactory(tftp, new SocketProbeEngine(), new ExecRunner(), true);
    } catch (IOException | RuntimeException e) {
      tftp.close();
      throw e;
    }
  }

  /**
   * The probe for {@code server} of {@code service} (see the class comment).
   *
   * @throws IllegalArgumentException when {@code send_program} is blank or {@code use_regex = 1}
   *     and {@code expect} is not a valid regular expression; the message names the virtual service
   */
  public ConfiguredProbe probeFor(VirtualService service, RealServer server) {
    try {
      return build(service, server);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "virtual " + service.name() + ", server " + server.name() + ": " + e.getMessage(), e);
    }
  }

  private ConfiguredProbe build(VirtualService service, RealServer server) {
    Optional<String> program = service.sendProgram().filter(p -> !p.isBlank());
    if (service.sendProgram().isPresent() && program.isEmpty()) {
      throw new IllegalArgumentException("send_program is empty");
    }
    if (program.isPresent()) {
      Optional<ExpectMatcher> expect =
          service.expect().map(e -> outputMatcher(e, service.useRegex()));
      Optional<TftpCheck> tftpCheck =
          CheckTftpCommandLine.parse(
              program.get(), server.address(), server.port(), service.probeTimeout());
      if (tftpCheck.isPresent()) {
        TftpCheck check = tftpCheck.get();
        Probe p = tftp.probeFor(check);
        if (expect.isPresent()) {
          p = new ExpectingProbe(p, expect.get());
        }
        return new ConfiguredProbe(ConfiguredProbe.Kind.TFTP, describe(check), p);
      }
      ProgramProbe p = ProgramProbe.forService(exec, service, server);
      return new ConfiguredProbe(ConfiguredProbe.Kind.PROGRAM, p.describe(), p);
    }
    SocketCheck check = SocketCheck.forService(service, server);
    return new ConfiguredProbe(
        check.protocol() == Protocol.UDP ? ConfiguredProbe.Kind.UDP : ConfiguredProbe.Kind.TCP,
        check.describe(),
        sockets.probeFor(check));
  }

  /**
   * The output matcher for {@code expect}: one instance per distinct (expect, use_regex), shared by
   * every server of a virtual (matchers are immutable), instead of a translated string and a
   * matcher per server.
   */
  private ExpectMatcher outputMatcher(String expect, boolean useRegex) {
    return outputMatchers.computeIfAbsent(
        new MatcherKey(expect, useRegex),
        k -> ExpectMatcher.forOutput(Escapes.translate(k.expect()), k.useRegex()));
  }

  private record MatcherKey(String expect, boolean useRegex) {}

  /** {@code tftp connect 10.0.0.2:69} or {@code tftp get 10.0.0.2:69 pxelinux.0 (26828 bytes)}. */
  static String describe(TftpCheck check) {
    InetSocketAddress a = check.server();
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    String target = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    if (check.mode() instanceof TftpCheck.Get g) {
      return "tftp get " + target + " " + g.filename() + " (" + g.expectedSize() + " bytes)";
    }
    return "tftp connect " + target;
  }

  /** The shared TFTP engine. */
  public TftpProbeEngine tftpEngine() {
    return tftp;
  }

  /** The shared socket engine. */
  public SocketProbeEngine socketEngine() {
    return sockets;
  }

  /** The shared runner for programs. */
  public ExecRunner execRunner() {
    return exec;
  }

  /** Closes the engines if this factory owns them (probes in flight end with IO_ERROR). */
  @Override
  public void close() {
    if (ownsEngines) {
      sockets.close();
      tftp.close();
    }
  }
}
