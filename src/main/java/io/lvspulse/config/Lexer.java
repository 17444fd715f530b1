package io.lvspulse.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits lvs.cf into tokens as Piranha's {@code getNextToks} does: lines end at {@code \n}, {@code
 * \r\n} or a bare {@code \r}; a line whose first non-blank character is {@code #} is a comment;
 * tokens are separated by blanks (space, tab); a token starting with {@code "} or {@code '} runs to
 * the same quote on the same line (no escapes) and loses its quotes. A lexical problem (unclosed
 * quote, a control character, a token or line over the {@linkplain LvsConfigParser.Limits limits})
 * becomes a token carrying an error, reported only if the parser uses that token.
 *
 * <p>The text is read one line at a time as the parser asks for tokens ({@link Stream}), so a parse
 * holds the tokens of the line being read, not of the whole file.
 */
final class Lexer {

  /** A token at a 1-based line and column (the column of its first character or opening quote). */
  record Token(String text, int line, int col, boolean quoted, @Nullable String error) {
    boolean is(String word) {
      return !quoted && error == null && text.equals(word);
    }

    /**
     * The token as it was written, for messages: escaped and cut (a value is never echoed whole).
     */
    String shown() {
      String s = Report.show(text);
      return quoted ? "\"" + s + "\"" : s;
    }
  }

  private Lexer() {}

  /** Every token of {@code text} (tests; the parser reads a {@link Stream}). */
  static List<Token> lex(String text, LvsConfigParser.Limits limits) {
    Stream s = new Stream(new java.io.StringReader(text), limits);
    List<Token> out = new ArrayList<>();
    for (int i = 0; s.has(i); i++) {
      out.add(s.get(i));
    }
    return out;
  }

  /**
   * The tokens of a text, lexed line by line on demand. The parser reads it by index, only forward
   * and only at its position and the next token; {@link #release} forgets the tokens before a
   * position. {@link #has} and {@link #get} throw {@link UncheckedIOException} when the reader
   * fails, and {@link LvsConfigParser.Limits.TooLarge} past the file's character limit.
   */
  static final class Stream {
    private final Reader in;
    private final LvsConfigParser.Limits limits;
    private final char[] buf = new char[8192];
    private int bufPos;
    private int bufLen;
    private long charsRead;
    private boolean eof;
    private boolean first = true;

    /** The tokens lexed and not released; {@code tokens.get(0)} has index {@code base}. */
    private final ArrayList<Token> tokens = new ArrayList<>();

    private int base;
    private int lineNo;
    private int[] lineLengths = new int[256];

    Stream(Reader in, LvsConfigParser.Limits limits) {
      this.in = in;
      this.limits = limits;
    }

    /** True if there is a token at index {@code i} (lexing lines until there is, or the end). */
    boolean has(int i) {
      while (i - base >= tokens.size()) {
        if (!nextLine()) {
          return false;
        }
      }
      return true;
    }

    Token get(int i) {
      if (i < base || !has(i)) {
        throw new IndexOutOfBoundsException("token " + i);
      }
      return tokens.get(i - base);
    }

    /** Forgets the tokens before index {@code pos} (the parser never goes back). */
    void release(int pos) {
      int n = pos - base;
      if (n >= 1024 && n <= tokens.size()) {
        tokens.subList(0, n).clear();
        base = pos;
      }
    }

    /** The length in characters of line {@code line}, if it was read; else 0. */
    int lineLength(int line) {
      return line >= 1 && line <= lineNo ? lineLengths[line - 1] : 0;
    }

    /** Reads and lexes the next line; false at the end of the text. */
    private boolean nextLine() {
      if (eof) {
        return false;
      }
      StringBuilder line = new StringBuilder();
      long length = 0;
      while (true) {
        int c = read();
        if (c < 0) {
          eof = true;
          break;
        }
        if (first) {
          first = false;
          if (c == '\uFEFF') {
            continue;
          }
        }
        if (c == '\n') {
          break;
        }
        if (c == '\r') {
          if (peek() == '\n') {
            read();
          }
          break;
        }
        if (length < limits.maxLineChars()) {
          line.append((char) c);
        }
        length++;
      }
      lineNo++;
      if (lineNo > lineLengths.length) {
        lineLengths = Arrays.copyOf(lineLengths, lineLengths.length * 2);
      }
      lineLengths[lineNo - 1] = (int) Math.min(Integer.MAX_VALUE, length);
      lexLine(line, length, lineNo, tokens, limits);
      return true;
    }

    private int read() {
      if (bufPos >= bufLen && !fill()) {
        return -1;
      }
      return buf[bufPos++];
    }

    private int peek() {
      if (bufPos >= bufLen && !fill()) {
        return -1;
      }
      return buf[bufPos];
    }

    private boolean fill() {
      try {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
          return false;
        }
        charsRead += n;
        if (charsRead > limits.maxFileBytes()) {
          throw new LvsConfigParser.Limits.TooLarge();
        }
        bufPos = 0;
        bufLen = n;
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static boolean blank(char c) {
    return c == ' ' || c == '\t';
  }

  /** A character lvs.cf never holds as it is: C0 controls but tab, DEL, C1 controls. */
  static boolean control(char c) {
    return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
  }

  /**
   * Lexes one line ({@code line}: its first {@code maxLineChars} characters; {@code length}: its
   * whole length).
   */
  private static void lexLine(
      CharSequence line, long length, int lineNo, List<Token> out, LvsConfigParser.Limits limits) {
    int len = line.length();
    int p = 0;
    while (p < len && blank(line.charAt(p))) {
      p++;
    }
    if (p < len && line.charAt(p) == '#') {
      return;
    }
    if (length > limits.maxLineChars()) {
      out.add(
          new Token(
              "",
              lineNo,
              p + 1,
              false,
              "line "
                  + lineNo
                  + " is "
                  + length
                  + " characters long: lvs-pulse reads lines of at most "
                  + limits.maxLineChars()
                  + " characters"));
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
        int close = indexOf(line, c, p + 1);
        if (close < 0) {
          out.add(
              checked(
                  new Token(
                      line.subSequence(p + 1, len).toString(),
                      lineNo,
                      col,
                      true,
                      "unclosed quote: the "
                          + c
                          + " at column "
                          + col
                          + " has no closing "
                          + c
                          + " on this line"),
                  limits));
          return;
        }
        String content = line.subSequence(p + 1, close).toString();
        p = close + 1;
        if (p < len && !blank(line.charAt(p))) {
          int q = p;
          while (q < len && !blank(line.charAt(q))) {
            q++;
          }
          out.add(
              checked(
                  new Token(
                      content,
                      lineNo,
                      col,
                      true,
                      "unexpected '"
                          + Report.show(line.subSequence(p, q).toString())
                          + "' right after the closing "
                          + c
                          + ": put a blank after the quoted string"),
                  limits));
          p = q;
        } else {
          out.add(checked(new Token(content, lineNo, col, true, null), limits));
        }
      } else {
        int q = p;
        while (q < len && !blank(line.charAt(q))) {
          q++;
        }
        out.add(
            checked(
                new Token(line.subSequence(p, q).toString(), lineNo, col, false, null), limits));
        p = q;
      }
    }
  }

  private static int indexOf(CharSequence s, char c, int from) {
    for (int i = from; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The token, or an error token if it is longer than the limit or holds a control character (its
   * text then cut to what a message shows).
   */
  private static Token checked(Token t, LvsConfigParser.Limits limits) {
    String s = t.text();
    if (s.length() > limits.maxTokenChars()) {
      return new Token(
          s.substring(0, Report.SHOWN),
          t.line(),
          t.col(),
          t.quoted(),
          (t.quoted() ? "a quoted string" : "a word")
              + " of "
              + s.length()
              + " characters: lvs-pulse reads values of at most "
              + limits.maxTokenChars()
              + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (control(c)) {
        return new Token(
            s,
            t.line(),
            t.col(),
            t.quoted(),
            String.format(
                    java.util.Locale.ROOT,
                    "control character 0x%02x at column %d: lvs.cf is text (write \\r, \\n or \\t"
                        + " escapes in send and expect)",
                    (int) c,
                    t.col() + (t.quoted() ? 1 : 0) + i)
                + (t.error() != null ? "; also " + t.error() : ""));
      }
    }
    return t;
  }
}
