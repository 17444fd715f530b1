package io.lvspulse.config;

import io.lvspulse.config.Keys.InVirtual;
import io.lvspulse.config.Keys.Key;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Prints a model as canonical multi-line lvs.cf (one directive per line, 4-space indent, the form
 * Piranha itself reads), key by key in the order of the key table ({@link Keys}), each key printed
 * as the table says. {@code parse(write(c))} equals {@code c} for every model the parser can
 * produce. Keys at their default value are left out, except the ones an operator expects to see
 * (service, network, heartbeat timings; active, address, port, protocol, scheduler, timeout,
 * reentry, quiesce_server...).
 */
public final class LvsConfigWriter {
  private LvsConfigWriter() {}

  /** The whole file. */
  public static String write(LvsConfig c) {
    StringBuilder out = new StringBuilder();
    keys(out, "", Keys.globalKeys(), c.global(), GlobalSettings.defaults());
    for (VirtualService v : c.virtuals()) {
      out.append('\n');
      writeBlock(out, "virtual", v);
    }
    for (VirtualService v : c.failovers()) {
      out.append('\n');
      writeBlock(out, "failover", v);
    }
    return out.toString();
  }

  private static void writeBlock(StringBuilder o, String kind, VirtualService v) {
    String in = "    ";
    o.append(kind).append(' ').append(word(v.name())).append(" {\n");
    keys(o, in, Keys.virtualKeys(), v, VirtualService.builder(v.name()).build());
    for (RealServer s : v.servers()) {
      o.append(in).append("server ").append(word(s.name())).append(" {\n");
      keys(o, in + in, Keys.serverKeys(), new InVirtual(v, s), null);
      o.append(in).append("}\n");
    }
    o.append("}\n");
  }

  private static <M> void keys(
      StringBuilder o,
      String indent,
      List<? extends Key<?, M, ?>> keys,
      M model,
      @Nullable M dflt) {
    for (Key<?, M, ?> k : keys) {
      Optional<String> text = k.written(model, dflt);
      if (text.isPresent()) {
        o.append(indent).append(k.spec().name()).append(" = ").append(text.get()).append('\n');
      }
    }
  }

  /** A single-token value: bare when it can be, quoted otherwise. */
  static String word(String s) {
    return bareSafe(s) ? s : quoted(s);
  }

  /** True if {@code s} reads back as one unquoted token with the same text. */
  static boolean bareSafe(String s) {
    return !s.isEmpty()
        && s.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == '\r')
        && s.charAt(0) != '"'
        && s.charAt(0) != '\''
        && s.charAt(0) != '#'
        && !s.equals("}")
        && !s.equals("{")
        && !s.equals("[")
        && !s.equals("]")
        && !s.equals("=");
  }

  /**
   * A quoted value: {@code "..."}, or {@code '...'} if it contains a double quote, or bare if it
   * holds both quote kinds and no blank (lvs.cf has no escapes).
   */
  static String quoted(String s) {
    if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("lvs.cf values cannot contain line breaks: " + s);
    }
    if (s.indexOf('"') < 0) {
      return '"' + s + '"';
    }
    if (s.indexOf('\'') < 0) {
      return "'" + s + "'";
    }
    if (bareSafe(s)) {
      return s;
    }
    throw new IllegalArgumentException(
        "lvs.cf cannot write a value that contains both ' and \" and a blank: " + s);
  }
}
