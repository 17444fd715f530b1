package io.lvspulse.announce;

import java.util.ArrayList;
import java.util.List;

/**
 * One reply of BIRD's control socket: every line with its 4-digit code, the last line's code being
 * the reply's (BIRD's {@code doc/reply_codes}: {@code 0xxx} done, {@code 1xxx} table entry, {@code
 * 2xxx} table heading, {@code 8xxx} run-time error, {@code 9xxx} parse error).
 *
 * @param lines the lines in order; a continuation line (one that starts with a space) carries the
 *     code of the line it continues
 */
public record BirdReply(List<Line> lines) {

  /**
   * One line of a reply.
   *
   * @param code its 4-digit code
   * @param text the text after the code and its separator
   */
  public record Line(int code, String text) {}

  public BirdReply {
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a reply has at least one line");
    }
    lines = List.copyOf(lines);
  }

  /** The reply's code: that of its last line. */
  public int code() {
    return lines.get(lines.size() - 1).code();
  }

  /** True unless the code is a run-time (8xxx) or parse (9xxx) error. */
  public boolean ok() {
    return code() < 8000;
  }

  /** The texts of the lines with code {@code code}, in order. */
  public List<String> texts(int code) {
    List<String> out = new ArrayList<>();
    for (Line l : lines) {
      if (l.code() == code) {
        out.add(l.text());
      }
    }
    return out;
  }

  /** The last line's text, e.g. {@code vip_10_0_0_100: enabled}. */
  public String message() {
    return lines.get(lines.size() - 1).text().strip();
  }

  /** Every line as BIRD printed it, for logs and error messages. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (Line l : lines) {
      if (sb.length() > 0) {
        sb.append(" | ");
      }
      sb.append(String.format("%04d %s", l.code(), l.text().strip()));
    }
    return sb.toString();
  }
}
