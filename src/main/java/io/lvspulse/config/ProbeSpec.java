package io.lvspulse.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
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

  /** Largest regular expression accepted, in RE2 instructions (estimated before compiling). */
  public static final long MAX_REGEX_SIZE = 100_000;

  /**
   * The regular expression {@code expect} means with {@code use_regex = 1} (lvs.cf's dialect), for
   * RE2/J, a linear-time engine: RE2 syntax, which has POSIX ERE's operators and POSIX classes such
   * as {@code [[:digit:]]}, with {@code .} matching a newline and {@code $} only at the end, as
   * POSIX {@code regexec} without {@code REG_NEWLINE}. No backtracking: a pattern such as {@code
   * (.*a){12}$} takes time linear in the reply, never exponential. Back-references and look-around
   * (neither is POSIX ERE) are refused, and so is a pattern whose compiled form would exceed {@link
   * #MAX_REGEX_SIZE} instructions (nested counted repetitions such as {@code
   * ((a{100}){100}){100}}). The parser checks every {@code expect} with this and the probes compile
   * it with this, so a file the parser accepts never fails later.
   *
   * @param expect the {@code expect} text, escapes already translated ({@link Escapes#translate})
   * @throws PatternSyntaxException when it is not a valid pattern, or too large
   */
  public static Pattern expectRegex(String expect) {
    if (RegexSize.estimate(expect) > MAX_REGEX_SIZE) {
      throw new PatternSyntaxException(
          "expression too large (more than " + MAX_REGEX_SIZE + " instructions)", expect);
    }
    return Pattern.compile(expect, Pattern.DOTALL);
  }
}
