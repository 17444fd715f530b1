package io.lvspulse.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting the health probe of one virtual service depends on, as one value ({@link
 * VirtualService#probe()}). A probe kind sees only this and the {@link RealServer}, so a setting a
 * probe reads must be a component here; {@link #equals} then decides what "the same probe" means on
 * reload (as a keepalived checker's {@code compare()}): equal specs keep the running probe, a
 * different spec gets a new one.
 *
 * <p>{@code send} and {@code expect} are the text as written (escapes untranslated, see {@link
 * Escapes#translate}).
 *
 * @param send {@code send}
 * @param expect {@code expect}
 * @param useRegex {@code use_regex}
 * @param sendProgram {@code send_program}
 * @param interval time between two probes of one server: {@code timeout}
 * @param timeout the per-probe deadline: {@code probe_timeout}, else {@code timeout}
 * @param protocol {@code protocol}: the socket probe's socket type
 * @param port the virtual {@code port} (nanny's HTTP default applies to port 80)
 * @param fwmark {@code fwmark}
 */
public record ProbeSpec(
    Optional<String> send,
    Optional<String> expect,
    boolean useRegex,
    Optional<String> sendProgram,
    Duration interval,
    Duration timeout,
    Protocol protocol,
    int port,
    int fwmark) {

  public ProbeSpec {
    Objects.requireNonNull(send, "send");
    Objects.requireNonNull(expect, "expect");
    Objects.requireNonNull(sendProgram, "sendProgram");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(protocol, "protocol");
  }
}
