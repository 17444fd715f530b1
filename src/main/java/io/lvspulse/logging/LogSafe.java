package io.lvspulse.logging;

import org.jspecify.annotations.Nullable;

/**
 * Makes text from outside (a config value, a TFTP server's error string, a program's output, an
 * HTTP request line) safe for one log line: control characters become visible escapes, so a value
 * can neither end the line nor forge another, nor drive the operator's terminal; and the text is
 * cut to a length, so a 20 MB value is not echoed whole.
 *
 * <ul>
 *   <li>{@code \n}, {@code \r}, {@code \t} become {@code \n}, {@code \r}, {@code \t} written out;
 *   <li>every other C0 control character, DEL and every C1 control character becomes {@code \xNN};
 *   <li>line and paragraph separators (U+2028, U+2029), Unicode format characters (bidirectional
 *       overrides such as U+202E, zero-width characters, the byte-order mark) and lone surrogates
 *       become {@code \}{@code uNNNN};
 *   <li>past {@code max} characters of output the rest is replaced by {@code ...(N characters)},
 *       where N is the length of the whole input.
 * </ul>
 *
 * <p>Work and memory are bounded by {@code max}, not by the input's length. A backslash is kept as
 * it is (configs write {@code \r\n} escapes as text; doubling them would make every such line
 * harder to read, and a backslash cannot end or forge a line).
 */
public final class LogSafe {
  /** The default length of an escaped text in a log line. */
  public static final int DEFAULT_MAX = 200;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogSafe() {}

  /** {@link #escape(CharSequence, int)} with {@link #DEFAULT_MAX}. */
  public static String escape(@Nullable CharSequence s) {
    return escape(s, DEFAULT_MAX);
  }

  /**
   * The text with control and format characters escaped and cut to about {@code max} characters (an
   * escape is never split); null gives the text {@code null}.
   */
  public static String escape(@Nullable CharSequence s, int max) {
    if (s == null) {
      return "null";
    }
    int n = s.length();
    if (n <= max && clean(s)) {
      return s.toString();
    }
    StringBuilder b = new StringBuilder(Math.min(n, max) + 24);
    for (int i = 0; i < n; i++) {
      if (b.length() >= max) {
        b.append("...(").append(n).append(" characters)");
        return b.toString();
      }
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(i + 1));
        if (Character.getType(cp) == Character.FORMAT) {
          b.append("\\u{").append(Integer.toHexString(cp)).append('}');
        } else {
          b.append(c).append(s.charAt(i + 1));
        }
        i++;
        continue;
      }
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            b.append("\\x").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
          } else if (unsafe(c)) {
            b.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** True if {@code s} has no character that {@link #escape} would change. */
  public static boolean clean(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xa0 && unsafe(c))) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        if (Character.getType(Character.toCodePoint(c, s.charAt(i + 1))) == Character.FORMAT) {
          return false;
        }
        i++;
      }
    }
    return true;
  }

  /** A character above C1 that must not reach a log line as it is. */
  private static boolean unsafe(char c) {
    return c == '\u2028'
        || c == '\u2029'
        || Character.isSurrogate(c)
        || Character.getType(c) == Character.FORMAT;
  }
}
