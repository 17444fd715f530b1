package io.lvspulse.http;

import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A minimal JSON writer for the /status document (strings, numbers, booleans, maps, lists). */
final class Json {
  private Json() {}

  static String write(@Nullable Object value) {
    StringBuilder sb = new StringBuilder(256);
    write(sb, value, 0);
    sb.append('\n');
    return sb.toString();
  }

  /** The same document on one line, without indentation (a third of the size for a big table). */
  static String writeCompact(@Nullable Object value) {
    StringBuilder sb = new StringBuilder(256);
    writeCompact(sb, value);
    sb.append('\n');
    return sb.toString();
  }

  private static void writeCompact(StringBuilder sb, @Nullable Object v) {
    if (v instanceof Map<?, ?> m) {
      sb.append('{');
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (i++ > 0) {
          sb.append(',');
        }
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        writeCompact(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof Collection<?> c) {
      sb.append('[');
      int i = 0;
      for (Object o : c) {
        if (i++ > 0) {
          sb.append(',');
        }
        writeCompact(sb, o);
      }
      sb.append(']');
    } else {
      write(sb, v, 0);
    }
  }

  private static void write(StringBuilder sb, @Nullable Object v, int indent) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      sb.append(v);
    } else if (v instanceof Double d) {
      sb.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
    } else if (v instanceof Number n) {
      sb.append(n);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        pad(sb, indent + 1);
        string(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), indent + 1);
        sb.append(++i < m.size() ? ",\n" : "\n");
      }
      pad(sb, indent);
      sb.append('}');
    } else if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append("[\n");
      int i = 0;
      for (Object o : c) {
        pad(sb, indent + 1);
        write(sb, o, indent + 1);
        sb.append(++i < c.size() ? ",\n" : "\n");
      }
      pad(sb, indent);
      sb.append(']');
    } else {
      string(sb, v.toString());
    }
  }

  private static void pad(StringBuilder sb, int indent) {
    sb.append("  ".repeat(indent));
  }

  static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
