package io.lvspulse.probe.tftp;

import io.lvspulse.config.Escapes;
import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.net.Addresses;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ExpectMatcher;
import io.lvspulse.probe.ExpectingProbe;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.Probe;
import io.lvspulse.probe.ProbeKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The native TFTP probe, for a {@code send_program} that runs {@code check_tftp} ({@link
 * CheckTftpCommandLine}: {@code --connect %h}, {@code --get %h FILE SIZE}, any path), on the shared
 * {@link TftpProbeEngine}. Its message ({@code OK - answer from server} on success) is matched
 * against {@code expect} as program output is (exact after removing one trailing newline; regex
 * with {@code use_regex}): a TFTP failure stays that failure, a success whose message does not
 * match is {@link FailureCause#UNEXPECTED_REPLY}. Without {@code expect}: the TFTP result as it is.
 */
public final class TftpKind implements ProbeKind {
  private final TftpProbeEngine engine;
  private final boolean ownsEngine;
  private final Map<MatcherKey, ExpectMatcher> outputMatchers = new ConcurrentHashMap<>();

  /** The kind on an engine the caller owns (and closes). */
  public TftpKind(TftpProbeEngine engine) {
    this(engine, false);
  }

  private TftpKind(TftpProbeEngine engine, boolean ownsEngine) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.ownsEngine = ownsEngine;
  }

  /** The kind with its own engine (one selector thread per CPU), closed by {@link #close()}. */
  public static TftpKind open() throws IOException {
    return new TftpKind(new TftpProbeEngine(), true);
  }

  @Override
  public Optional<ConfiguredProbe> tryBuild(ProbeSpec spec, RealServer server) {
    if (spec.sendProgram().isEmpty()) {
      return Optional.empty();
    }
    Optional<TftpCheck> parsed =
        CheckTftpCommandLine.parse(
            spec.sendProgram().get(), server.address(), server.port(), spec.timeout());
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    TftpCheck check = parsed.get();
    Probe p = engine.probeFor(check);
    if (spec.expect().isPresent()) {
      p = new ExpectingProbe(p, outputMatcher(spec.expect().get(), spec.useRegex()));
    }
    return Optional.of(new ConfiguredProbe("tftp", describe(check), p));
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
    String target = Addresses.canonical(a);
    if (check.mode() instanceof TftpCheck.Get g) {
      return "tftp get " + target + " " + g.filename() + " (" + g.expectedSize() + " bytes)";
    }
    return "tftp connect " + target;
  }

  @Override
  public void close() {
    if (ownsEngine) {
      engine.close();
    }
  }
}
