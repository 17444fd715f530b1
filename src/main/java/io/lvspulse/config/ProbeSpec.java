package io.lvspulse.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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

  private static final Pattern POSIX_CLASS =
      Pattern.compile(
          "\\[:(alpha|digit|alnum|upper|lower|space|blank|punct|print|graph|cntrl|xdigit):]");

  /**
   * The regular expression {@code expect} means with {@code use_regex = 1} (lvs.cf's dialect): Java
   * regex syntax with POSIX classes such as {@code [[:digit:]]} translated, and {@code .} matching
   * a newline (as POSIX). The parser checks every {@code expect} with this and the probes compile
   * it with this, so a file the parser accepts never fails later.
   *
   * @param expect the {@code expect} text, escapes already translated ({@link Escapes#translate})
   * @throws PatternSyntaxException when it is not a valid pattern
   */
  public static Pattern expectRegex(String expect) {
    String javaRegex =
        POSIX_CLASS
            .matcher(expect)
            .replaceAll(m -> Matcher.quoteReplacement(posixToJava(m.group(1))));
    return Pattern.compile(javaRegex, Pattern.DOTALL);
  }

  private static String posixToJava(String name) {
    return switch (name) {
      case "alpha" -> "\\p{Alpha}";
      case "digit" -> "\\p{Digit}";
      case "alnum" -> "\\p{Alnum}";
      case "upper" -> "\\p{Upper}";
      case "lower" -> "\\p{Lower}";
      case "space" -> "\\s\\x0B";
      case "blank" -> "\\p{Blank}";
      case "punct" -> "\\p{Punct}";
      case "print" -> "\\p{Print}";
      case "graph" -> "\\p{Graph}";
      case "cntrl" -> "\\p{Cntrl}";
      default -> "\\p{XDigit}";
    };
  }
}
