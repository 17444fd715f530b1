package io.lvspulse.config;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits lvs.cf into tokens as Piranha's {@code getNextToks} does: lines end at {@code \n}, {@code
 * \r\n} or a bare {@code \r}; a line whose first non-blank character is {@code #} is a comment;
 * tokens are separated by blanks (space, tab); a token starting with {@code "} or {@code '} runs to
 * the same quote on the same line (no escapes) and loses its quotes. A lexical problem (unclosed
 * quote) becomes a token carrying an error, reported only if the parser uses that token.
 */
final class Lexer {

  /** A token at a 1-based line and column (the column of its first character or opening quote). */
  record Token(String text, int line, int col, boolean quoted, @Nullable String error) {
    boolean is(String word) {
      return !quoted && error == null && text.equals(word);
    }

    /** The token as it was written, for messages. */
    String shown() {
      return quoted ? "\"" + text + "\"" : text;
    }
  }

  /** Tokens and, per line (index line-1), the line's length in characters. */
  record Result(List<Token> tokens, List<Integer> lineLengths) {}

  private Lexer() {}

  static Result lex(String text) {
    List<Token> tokens = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    int start = text.startsWith("\uFEFF") ? 1 : 0;
    int lineNo = 1;
    int n = text.length();
    while (start <= n) {
      int end = start;
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
      }
      String line = text.substring(start, end);
      lengths.add(line.length());
      lexLine(line, lineNo, tokens);
      if (end >= n) {
        break;
      }
      start =
          end + (text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n' ? 2 : 1);
      lineNo++;
    }
    return new Result(tokens, lengths);
  }

  private static boolean blank(char c) {
    return c == ' ' || c == '\t';
  }

  private static void lexLine(String line, int lineNo, List<Token> out) {
    int len = line.length();
    int p = 0;
    while (p < len && blank(line.charAt(p))) {
      p++;
    }
    if (p < len && line.charAt(p) == '#') {
      return;
    }
    while (p < len) {
      while (p < len && blank(line.charAt(p))) {
        p++;
      }
      if (p >= len) {
        break;
      }
      int col = p + 1;
      char c = line.charAt(p);
      if (c == '"' || c == '\'') {
        int close = line.indexOf(c, p + 1);
        if (close < 0) {
          out.add(
              new Token(
                  line.substring(p + 1),
                  lineNo,
                  col,
                  true,
                  "unclosed quote: the "
                      + c
                      + " at column "
                      + col
                      + " has no closing "
                      + c
                      + " on this line"));
          return;
        }
        String content = line.substring(p + 1, close);
        p = close + 1;
        if (p < len && !blank(line.charAt(p))) {
          int q = p;
          while (q < len && !blank(line.charAt(q))) {
            q++;
          }
          out.add(
              new Token(
                  content,
                  lineNo,
                  col,
                  true,
                  "unexpected '"
                      + line.substring(p, q)
                      + "' right after the closing "
                      + c
                      + ": put a blank after the quoted string"));
          p = q;
        } else {
          out.add(new Token(content, lineNo, col, true, null));
        }
      } else {
        int q = p;
        while (q < len && !blank(line.charAt(q))) {
          q++;
        }
        out.add(new Token(line.substring(p, q), lineNo, col, false, null));
        p = q;
      }
    }
  }
}
