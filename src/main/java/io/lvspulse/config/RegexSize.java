package io.lvspulse.config;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An upper estimate of the size of a compiled RE2 program, computed from the pattern's text without
 * compiling it: RE2/J expands counted repetitions, so {@code (((a{100}){100}){100}){100}} would
 * take gigabytes. Every atom counts 1, a group its contents plus 1, {@code x{n,m}} {@code m} times
 * {@code x} ({@code n + 1} times for {@code x{n,}}), alternatives add up. Saturates at {@link
 * Long#MAX_VALUE}.
 */
final class RegexSize {
  private RegexSize() {}

  /** The estimated size of {@code re}'s program. */
  static long estimate(String re) {
    Deque<long[]> open = new ArrayDeque<>();
    long[] cur = {0, 0}; // {size of what is complete, size of the last atom}
    int n = re.length();
    int i = 0;
    while (i < n) {
      char c = re.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 < n && re.charAt(i + 1) == 'Q') {
            int end = re.indexOf("\\E", i + 2);
            int stop = end < 0 ? n : end;
            atom(cur, stop - (i + 2));
            i = end < 0 ? n : end + 2;
            continue;
          }
          atom(cur, 1);
          i += 2;
          continue;
        }
        case '[' -> {
          i = endOfBracket(re, i);
          atom(cur, 1);
          continue;
        }
        case '(' -> {
          open.push(cur);
          cur = new long[] {0, 0};
        }
        case ')' -> {
          long inner = add(cur[0], cur[1]);
          cur = open.isEmpty() ? new long[] {0, 0} : open.pop();
          atom(cur, add(inner, 1));
        }
        case '|' -> {
          cur[0] = add(cur[0], cur[1]);
          cur[1] = 0;
        }
        case '*', '+', '?' -> cur[1] = add(cur[1], 1);
        case '{' -> {
          int close = re.indexOf('}', i);
          long times = close < 0 ? -1 : repeatMax(re.substring(i + 1, close));
          if (times < 0) {
            atom(cur, 1); // a literal brace
          } else {
            cur[1] = multiply(cur[1], Math.max(1, times));
            i = close + 1;
            continue;
          }
        }
        default -> atom(cur, 1);
      }
      i++;
    }
    long total = add(cur[0], cur[1]);
    while (!open.isEmpty()) {
      long[] f = open.pop();
      total = add(add(f[0], f[1]), total);
    }
    return total;
  }

  private static void atom(long[] cur, long size) {
    cur[0] = add(cur[0], cur[1]);
    cur[1] = size;
  }

  /** The index after the bracket expression that starts at {@code start}. */
  private static int endOfBracket(String re, int start) {
    int i = start + 1;
    if (i < re.length() && re.charAt(i) == '^') {
      i++;
    }
    if (i < re.length() && re.charAt(i) == ']') {
      i++; // a leading ] is literal
    }
    while (i < re.length()) {
      char c = re.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
        int end = re.indexOf(":]", i + 2);
        i = end < 0 ? i + 1 : end + 2;
      } else if (c == ']') {
        return i + 1;
      } else {
        i++;
      }
    }
    return re.length();
  }

  /** The most repetitions of {@code {body}}: m of n,m; n+1 of n,; n of n; -1 if not a count. */
  private static long repeatMax(String body) {
    if (!body.matches("\\d{1,9}(,\\d{0,9})?")) {
      return -1;
    }
    int comma = body.indexOf(',');
    if (comma < 0) {
      return Long.parseLong(body);
    }
    String max = body.substring(comma + 1);
    return max.isEmpty() ? Long.parseLong(body.substring(0, comma)) + 1 : Long.parseLong(max);
  }

  private static long add(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  private static long multiply(long a, long b) {
    return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }
}
