package io.lvspulse.probe;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.lvspulse.config.ProbeSpec;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a reply or a program's output is compared with lvs.cf {@code expect} (after nanny's escape
 * translation, which the caller applies).
 *
 * <ul>
 *   <li>{@link Mode#PREFIX} (socket probe, nanny's default): the first {@code n} bytes of the reply
 *       equal the {@code n} bytes of {@code expect}. A reply that ends (EOF) before {@code n} bytes
 *       fails. nanny reads once and fails a short read at once; we keep reading until {@code n}
 *       bytes arrived, a byte differs, the peer closes, or the probe times out, so a reply split
 *       over two TCP segments is not a false failure.
 *   <li>{@link Mode#ANY} ({@code expect = "*"}): any reply of at least one byte.
 *   <li>{@link Mode#REGEX} ({@code use_regex = 1}): the pattern is found anywhere in the reply
 *       (unanchored unless the pattern has anchors), as nanny's {@code regexec(REG_EXTENDED)}, with
 *       RE2/J, a linear-time engine ({@link ProbeSpec#expectRegex}, the one dialect the parser
 *       checks too): no pattern and no reply can make a match backtrack, so matching on the probes'
 *       selector thread is bounded by the reply's length. RE2 syntax has POSIX ERE's operators and
 *       classes ({@code [[:digit:]]}); it differs in that a backslash inside a bracket expression
 *       is an escape (POSIX: literal), Perl's {@code \d} and lazy quantifiers are accepted, and
 *       matching is leftmost-first rather than leftmost-longest (no difference for "found or not").
 *       {@code .} matches a newline and {@code $} only the end, as in POSIX. The reply is decoded
 *       as UTF-8 (invalid bytes become U+FFFD); nanny reads at most 254 bytes once, we read until a
 *       match, EOF, {@link #MAX_REPLY_BYTES} bytes or the timeout.
 *   <li>{@link Mode#EXACT} (program output and the native TFTP probe's message): the whole text
 *       equals {@code expect}, as nanny's {@code strcmp}.
 * </ul>
 */
public final class ExpectMatcher {
  /** Most reply bytes the socket probe reads for a regular expression. */
  public static final int MAX_REPLY_BYTES = 4096;

  /** The comparison kinds. */
  public enum Mode {
    PREFIX,
    ANY,
    REGEX,
    EXACT
  }

  /** The answer for a (possibly still growing) reply. */
  public enum Verdict {
    MATCH,
    MISMATCH,
    /** Not decided yet: more bytes could still make it match. */
    NEED_MORE
  }

  private final Mode mode;
  private final String expect;
  private final byte[] expectBytes;
  private final @Nullable Pattern pattern;

  private ExpectMatcher(Mode mode, String expect) {
    this.mode = mode;
    this.expect = Objects.requireNonNull(expect, "expect");
    this.expectBytes = expect.getBytes(StandardCharsets.UTF_8);
    this.pattern = mode == Mode.REGEX ? compile(expect) : null;
  }

  /** Prefix match (nanny's default for the socket probe). */
  public static ExpectMatcher prefix(String expect) {
    if (expect.isEmpty()) {
      throw new IllegalArgumentException("empty expect");
    }
    return new ExpectMatcher(Mode.PREFIX, expect);
  }

  /** Any reply of at least one byte ({@code expect = "*"}). */
  public static ExpectMatcher any() {
    return new ExpectMatcher(Mode.ANY, "*");
  }

  /**
   * An extended regular expression found anywhere in the reply.
   *
   * @throws IllegalArgumentException when {@code regex} is not a valid pattern (nanny logs the
   *     error and then fails every probe; we refuse the configuration instead)
   */
  public static ExpectMatcher regex(String regex) {
    return new ExpectMatcher(Mode.REGEX, regex);
  }

  /** The whole text equals {@code expect}. */
  public static ExpectMatcher exact(String expect) {
    return new ExpectMatcher(Mode.EXACT, expect);
  }

  /**
   * The matcher the socket probe uses for an {@code expect} (already escape-translated): {@code *}
   * means any reply (with or without {@code use_regex}; nanny's documented meaning), else a regular
   * expression when {@code useRegex}, else a prefix.
   */
  public static ExpectMatcher forSocket(String expect, boolean useRegex) {
    if (expect.equals("*")) {
      return any();
    }
    return useRegex ? regex(expect) : prefix(expect);
  }

  /**
   * The matcher for a program's output (or the native TFTP probe's message): exact, or a regular
   * expression when {@code useRegex} (an lvs-pulse extension: nanny ignores {@code use_regex} for
   * {@code send_program}). {@code *} has no special meaning here, as in nanny.
   */
  public static ExpectMatcher forOutput(String expect, boolean useRegex) {
    return useRegex ? regex(expect) : exact(expect);
  }

  private Pattern regexPattern() {
    return Objects.requireNonNull(pattern, "pattern");
  }

  /** The comparison kind. */
  public Mode mode() {
    return mode;
  }

  /** The expected text (the pattern, for {@link Mode#REGEX}). */
  public String expect() {
    return expect;
  }

  /**
   * Bytes a socket reply needs before it can match ({@code n} for a prefix, 1 for any, 0 for a
   * regex).
   */
  public int minimumBytes() {
    return switch (mode) {
      case PREFIX, EXACT -> expectBytes.length;
      case ANY -> 1;
      case REGEX -> 0;
    };
  }

  /**
   * Judges the first {@code length} bytes of a reply.
   *
   * @param ended no more bytes will come (EOF, a datagram, or the read limit was reached)
   */
  public Verdict judge(byte[] reply, int length, boolean ended) {
    switch (mode) {
      case ANY:
        return length >= 1 ? Verdict.MATCH : ended ? Verdict.MISMATCH : Verdict.NEED_MORE;
      case PREFIX:
      case EXACT:
        {
          int n = Math.min(length, expectBytes.length);
          for (int i = 0; i < n; i++) {
            if (reply[i] != expectBytes[i]) {
              return Verdict.MISMATCH;
            }
          }
          if (length < expectBytes.length) {
            return ended ? Verdict.MISMATCH : Verdict.NEED_MORE;
          }
          if (mode == Mode.PREFIX) {
            return Verdict.MATCH;
          }
          if (length > expectBytes.length) {
            return Verdict.MISMATCH;
          }
          return ended ? Verdict.MATCH : Verdict.NEED_MORE;
        }
      case REGEX:
      default:
        {
          String text = new String(reply, 0, length, StandardCharsets.UTF_8);
          if (regexPattern().matcher(text).find()) {
            return Verdict.MATCH;
          }
          return ended || length >= MAX_REPLY_BYTES ? Verdict.MISMATCH : Verdict.NEED_MORE;
        }
    }
  }

  /**
   * Whether a finished text (program output after {@link #stripOneTrailingNewline}, or a probe
   * message) matches.
   */
  public boolean matches(String text) {
    return switch (mode) {
      case EXACT -> text.equals(expect);
      case PREFIX -> text.startsWith(expect);
      case ANY -> !text.isEmpty();
      case REGEX -> regexPattern().matcher(text).find();
    };
  }

  /**
   * Removes one trailing {@code \n}, if there is one (nanny cuts the last byte whatever it is; we
   * cut only a newline, so output without one keeps its last character).
   */
  public static String stripOneTrailingNewline(String s) {
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  /** A short human form: {@code prefix "HTTP"}, {@code regex "^220 "}, {@code any reply}. */
  public String describe() {
    return switch (mode) {
      case ANY -> "any reply";
      default -> mode.name().toLowerCase(Locale.ROOT) + " \"" + printable(expect, 60) + "\"";
    };
  }

  @Override
  public String toString() {
    return "ExpectMatcher[" + describe() + "]";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ExpectMatcher m && m.mode == mode && m.expect.equals(expect);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, expect);
  }

  /** Text for a one-line log: control characters escaped, at most {@code max} characters. */
  public static String printable(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    if (b.length() >= max && s.length() > max) {
      b.setLength(max);
      b.append("...");
    }
    return b.toString();
  }

  private static Pattern compile(String regex) {
    try {
      return ProbeSpec.expectRegex(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "expect is not a valid regular expression: " + e.getDescription(), e);
    }
  }
}
