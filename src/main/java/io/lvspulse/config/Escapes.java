package io.lvspulse.config;

/** nanny's {@code convert_str}: backslash escapes in {@code send} and {@code expect}. */
public final class Escapes {
  private Escapes() {}

  /**
   * Translates {@code \n \r \t \\ \' \"} as nanny does; any other backslash sequence (and a
   * trailing lone backslash) is kept as written.
   */
  public static String translate(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(i + 1);
        String r =
            switch (n) {
              case 'n' -> "\n";
              case 'r' -> "\r";
              case 't' -> "\t";
              case '\\' -> "\\";
              case '\'' -> "'";
              case '"' -> "\"";
              default -> null;
            };
        if (r != null) {
          out.append(r);
          i++;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
