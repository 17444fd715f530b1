package io.lvspulse.config;

import io.lvspulse.config.Keys.Section;
import io.lvspulse.config.Keys.Spec;
import io.lvspulse.config.Lexer.Token;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Parses lvs.cf: every file Piranha 0.8.6 accepts, with Piranha's defaults, plus the flattened form
 * where a whole block sits on one line (each key's value count tells where the next directive
 * starts). Reports every error and warning as {@code FILE:LINE:COL: error: MESSAGE}; throws nothing
 * but {@link ConfigException}.
 *
 * <p>This class reads the file's structure: tokens, blocks, directives and how many values each
 * takes. What a key's values mean, how they are checked and where they go is declared with the key
 * in {@link Keys}.
 *
 * <p>Instances are immutable and thread-safe; host names are resolved once per parse.
 */
public final class LvsConfigParser {
  private static volatile @Nullable ServiceNames systemServices;

  private final HostResolver resolver;
  private final ServiceNames services;

  /** A parser using the system resolver and {@code /etc/services}. */
  public LvsConfigParser() {
    this(HostResolver.system(), defaultServices());
  }

  /** A parser with its own resolver and service table (tests, fuzzing). */
  public LvsConfigParser(HostResolver resolver, ServiceNames services) {
    this.resolver = resolver;
    this.services = services;
  }

  private static ServiceNames defaultServices() {
    ServiceNames s = systemServices;
    if (s == null) {
      s = ServiceNames.system();
      systemServices = s;
    }
    return s;
  }

  /** Reads and parses a file; its name in messages is {@code file} as given. */
  public ParsedConfig parse(Path file) throws ConfigException {
    String name = file.toString();
    String text;
    try {
      byte[] bytes = Files.readAllBytes(file);
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (IOException | InvalidPathException | SecurityException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (e instanceof java.nio.file.NoSuchFileException) {
        why = "no such file";
      } else if (e instanceof java.nio.file.AccessDeniedException) {
        why = "permission denied";
      }
      throw new ConfigException(
          List.of(Diagnostic.error(name, 1, 1, "cannot read the file: " + why)), List.of());
    }
    return parse(name, text);
  }

  /** Parses {@code text}; {@code sourceName} is the file name used in messages. */
  public ParsedConfig parse(String sourceName, String text) throws ConfigException {
    try {
      return new Run(sourceName, text).run();
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new ConfigException(
          List.of(Diagnostic.error(sourceName, 1, 1, "internal parser error: " + e)), List.of());
    }
  }

  private final class Run {
    final String file;
    final List<Token> toks;
    final List<Integer> lineLengths;
    int pos;
    final Report report;
    final Value.Context values;
    final GlobalSettings.Builder g = GlobalSettings.builder();
    final Map<String, Token> globalKeys = new LinkedHashMap<>();
    final List<VirtualBlock> virtuals = new ArrayList<>();
    final List<VirtualBlock> failovers = new ArrayList<>();

    Run(String file, String text) {
      this.file = file;
      this.report = new Report(file);
      this.values = new Value.Context(report, resolver, services);
      Lexer.Result r = Lexer.lex(text);
      this.toks = r.tokens();
      this.lineLengths = r.lineLengths();
    }

    // ---------------------------------------------------------------- diagnostics

    void err(Token t, String msg) {
      report.error(t, msg);
    }

    void errAt(int line, int col, String msg) {
      report.errorAt(line, col, msg);
    }

    void warn(@Nullable Token t, String msg) {
      report.warn(t, msg);
    }

    /** Column just after the end of a line (for "missing something at the end of the line"). */
    int eol(int line) {
      return line - 1 < lineLengths.size() ? lineLengths.get(line - 1) + 1 : 1;
    }

    // ---------------------------------------------------------------- token stream

    @Nullable Token peekSameLine(int line) {
      if (pos < toks.size() && toks.get(pos).line() == line) {
        return toks.get(pos);
      }
      return null;
    }

    boolean startsComment(Token t) {
      return !t.quoted() && t.error() == null && t.text().startsWith("#");
    }

    /** True if the token at {@code i} can begin a directive, a block keyword, '}' or a comment. */
    boolean isDirectiveStart(int i) {
      Token t = toks.get(i);
      if (t.quoted() || t.error() != null) {
        return false;
      }
      String s = t.text();
      if (s.equals("}") || s.startsWith("#") || Keys.isKnownWord(s)) {
        return true;
      }
      return i + 1 < toks.size() && toks.get(i + 1).line() == t.line() && toks.get(i + 1).is("=");
    }

    void skipToDirectiveStart(int line) {
      while (pos < toks.size() && toks.get(pos).line() == line && !isDirectiveStart(pos)) {
        pos++;
      }
    }

    void skipLine(int line) {
      while (pos < toks.size() && toks.get(pos).line() == line) {
        pos++;
      }
    }

    // ---------------------------------------------------------------- structure

    ParsedConfig run() throws ConfigException {
      while (pos < toks.size()) {
        Token t = toks.get(pos);
        if (startsComment(t)) {
          skipLine(t.line());
          continue;
        }
        pos++;
        if (t.error() != null) {
          err(t, t.error());
          skipToDirectiveStart(t.line());
        } else if (t.is("}")) {
          err(t, "unexpected '}': no block is open here");
        } else if (t.is("virtual") || t.is("failover")) {
          parseBlock(t);
        } else if (t.is("server")) {
          err(
              t,
              "'server' block outside a virtual block: it must be inside 'virtual NAME { ... }'");
          parseServer(new VirtualBlock("virtual", "?", t), t, false);
        } else {
          directive(Section.GLOBAL, t, null, null);
        }
      }
      List<VirtualService> vs = finishBlocks(virtuals);
      List<VirtualService> fs = finishBlocks(failovers);
      GlobalSettings global = g.build();
      LvsConfig config = new LvsConfig(global, vs, fs);
      new ConfigChecks(report, globalKeys, virtuals, failovers).run(config);
      Comparator<Diagnostic> order =
          Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column);
      report.errors.sort(order);
      report.warnings.sort(order);
      if (!report.errors.isEmpty()) {
        throw new ConfigException(report.errors, report.warnings);
      }
      return new ParsedConfig(config, report.warnings, sourceMap());
    }

    record Header(String name, @Nullable Token nameTok) {}

    /** Parses {@code NAME {} after a block keyword; always returns a header so the body is parsed. */
    Header header(Token kw) {
      String kind = kw.text();
      Token nameTok = peekSameLine(kw.line());
      String name;
      boolean braceSeen = false;
      if (nameTok == null || nameTok.is("{")) {
        Token at = nameTok;
        if (at == null) {
          errAt(
              kw.line(),
              eol(kw.line()),
              "'" + kind + "' needs a name: write '" + kind + " NAME {'");
        } else {
          err(at, "'" + kind + "' needs a name before '{': write '" + kind + " NAME {'");
          pos++;
          braceSeen = true;
        }
        name = "";
        nameTok = null;
      } else {
        pos++;
        if (nameTok.error() != null) {
          err(nameTok, nameTok.error());
        }
        name = nameTok.text();
        if (!nameTok.quoted() && name.endsWith("{") && name.length() > 1) {
          err(
              nameTok,
              "put a blank between the name and '{': '"
                  + kind
                  + " "
                  + name.substring(0, name.length() - 1)
                  + " {'");
          name = name.substring(0, name.length() - 1);
          braceSeen = true;
        }
      }
      if (!braceSeen) {
        Token brace = peekSameLine(kw.line());
        if (brace != null && brace.is("{")) {
          pos++;
        } else if (brace == null && pos < toks.size() && toks.get(pos).is("{")) {
          err(toks.get(pos), "'{' must be on the same line as '" + kind + " " + name + "'");
          pos++;
        } else if (brace != null) {
          err(
              brace,
              "expected '{' after '" + kind + " " + name + "', found '" + brace.shown() + "'");
          skipToDirectiveStart(kw.line());
        } else {
          errAt(kw.line(), eol(kw.line()), "expected '{' after '" + kind + " " + name + "'");
        }
      }
      return new Header(name, nameTok);
    }

    void parseBlock(Token kw) {
      String kind = kw.text();
      Header h = header(kw);
      VirtualBlock blk = new VirtualBlock(kind, h.name(), kw);
      List<VirtualBlock> scope = kind.equals("virtual") ? virtuals : failovers;
      for (VirtualBlock other : scope) {
        if (!h.name().isEmpty() && other.name.equals(h.name())) {
          Token at = h.nameTok() != null ? h.nameTok() : kw;
          err(
              at,
              "duplicate "
                  + kind
                  + " name '"
                  + h.name()
                  + "' (first defined at line "
                  + other.opener.line()
                  + ")");
          blk.hadError = true;
        }
      }
      scope.add(blk);
      body(kw, blk, null);
    }

    void parseServer(VirtualBlock blk, Token kw, boolean keep) {
      Header h = header(kw);
      ServerBlock sb = new ServerBlock(h.name(), kw, blk.b.port);
      for (ServerBlock other : blk.servers) {
        if (!h.name().isEmpty() && other.name.equals(h.name())) {
          err(
              h.nameTok() != null ? h.nameTok() : kw,
              "duplicate server name '"
                  + h.name()
                  + "' in "
                  + blk.label()
                  + " (first defined at line "
                  + other.opener.line()
                  + ")");
          sb.hadError = true;
        }
      }
      if (keep) {
        blk.servers.add(sb);
      }
      body(kw, blk, sb);
    }

    /**
     * The body of a virtual or failover block ({@code sb} null) or of a server block, up to its
     * '}': comments, directives and, in a virtual block, server blocks. At the end of the file, or
     * at a keyword that cannot be inside the block (a '}' is missing), it stops and marks the block
     * bad.
     */
    void body(Token kw, VirtualBlock blk, @Nullable ServerBlock sb) {
      ParsedBlock self = sb != null ? sb : blk;
      Section section = sb != null ? Section.SERVER : Section.VIRTUAL;
      while (true) {
        if (pos >= toks.size()) {
          err(kw, self.label() + " is not closed: '}' is missing (the block opens here)");
          self.hadError = true;
          return;
        }
        Token t = toks.get(pos);
        if (startsComment(t)) {
          skipLine(t.line());
          continue;
        }
        boolean outer = t.is("virtual") || t.is("failover");
        if (outer || (sb != null && t.is("server"))) {
          if (sb == null || !outer) { // a 'virtual' in a server: the enclosing block reports it
            err(
                t,
                "'"
                    + t.text()
                    + "' inside "
                    + self.label()
                    + " (opened at line "
                    + kw.line()
                    + "): a '}' is missing before it");
          }
          self.hadError = true;
          return;
        }
        pos++;
        if (t.error() != null) {
          err(t, t.error());
          self.hadError = true;
          skipToDirectiveStart(t.line());
        } else if (t.is("}")) {
          return;
        } else if (t.is("server")) {
          parseServer(blk, t, true);
        } else {
          int before = report.errorCount();
          directive(section, t, blk, sb);
          if (report.errorCount() > before) {
            self.hadError = true;
          }
        }
      }
    }

    String where(Section section, @Nullable VirtualBlock blk, @Nullable ServerBlock sb) {
      return switch (section) {
        case GLOBAL -> "the global section";
        case VIRTUAL -> blk == null ? "a virtual block" : blk.label();
        case SERVER -> "server '" + (sb == null ? "?" : sb.name) + "'";
      };
    }

    void directive(
        Section section, Token keyTok, @Nullable VirtualBlock blk, @Nullable ServerBlock sb) {
      int line = keyTok.line();
      if (keyTok.quoted()) {
        err(keyTok, "expected a key, found the quoted string " + keyTok.shown());
        skipToDirectiveStart(line);
        return;
      }
      String key = keyTok.text();
      Optional<Spec> spec = Keys.find(section, key);
      if (spec.isEmpty()) {
        unknownKey(section, keyTok, blk, sb);
        Token eq = peekSameLine(line);
        if (eq != null && eq.is("=")) {
          pos++;
        }
        skipToDirectiveStart(line);
        return;
      }
      Token eq = peekSameLine(line);
      if (eq == null) {
        errAt(
            line,
            eol(line),
            "missing '=' after '" + key + "': write '" + key + " = " + valueHint(spec.get()) + "'");
        return;
      }
      if (!eq.is("=")) {
        if (!eq.quoted() && eq.text().startsWith("=")) {
          err(eq, "put a blank after '=': '" + key + " = " + eq.text().substring(1) + "'");
        } else {
          err(
              eq,
              "missing '=' after '"
                  + key
                  + "' (found '"
                  + eq.shown()
                  + "'): write '"
                  + key
                  + " = "
                  + valueHint(spec.get())
                  + "'");
        }
        skipToDirectiveStart(line);
        return;
      }
      pos++;
      List<Token> vals = new ArrayList<>();
      int arity = spec.get().arity();
      if (arity == Keys.LIST) {
        Token open = peekSameLine(line);
        if (open == null || !open.is("[")) {
          if (open == null) {
            errAt(line, eol(line), "'" + key + "' expects a list: " + key + " = [ a b ... ]");
          } else {
            err(open, "'" + key + "' expects a list starting with '[': " + key + " = [ a b ... ]");
          }
          skipToDirectiveStart(line);
          return;
        }
        pos++;
        while (true) {
          Token t = peekSameLine(line);
          if (t == null) {
            errAt(line, eol(line), "the list of '" + key + "' is not closed: ']' is missing");
            return;
          }
          pos++;
          if (t.is("]")) {
            break;
          }
          if (t.error() != null) {
            err(t, t.error());
            skipToDirectiveStart(line);
            return;
          }
          vals.add(t);
        }
      } else {
        for (int i = 0; i < arity; i++) {
          Token t = peekSameLine(line);
          boolean nextDirective =
              t != null
                  && !t.quoted()
                  && pos + 1 < toks.size()
                  && toks.get(pos + 1).line() == line
                  && toks.get(pos + 1).is("=");
          if (t == null || t.is("}") || nextDirective) {
            String msg =
                "'"
                    + key
                    + "' expects "
                    + (arity == 1 ? "a value" : arity + " values")
                    + " ("
                    + spec.get().expected()
                    + ")"
                    + (i == 0 ? "" : ", found " + i);
            if (t == null) {
              errAt(line, eol(line), msg);
            } else {
              err(t, msg);
            }
            return;
          }
          if (t.error() != null) {
            err(t, t.error());
            pos++;
            skipToDirectiveStart(line);
            return;
          }
          pos++;
          vals.add(t);
        }
      }
      Token extra = peekSameLine(line);
      if (extra != null && !isDirectiveStart(pos)) {
        err(
            extra,
            "too many values for '"
                + key
                + "': it takes "
                + (arity == 1 ? "1 value" : arity == Keys.LIST ? "one list" : arity + " values")
                + ", found extra '"
                + extra.shown()
                + "'"
                + (spec.get().expected().matches(".*(string|command|path).*")
                    ? " (quote a value that contains blanks)"
                    : ""));
        skipToDirectiveStart(line);
      }
      Map<String, Token> seen =
          section == Section.GLOBAL
              ? globalKeys
              : section == Section.VIRTUAL && blk != null
                  ? blk.keys
                  : sb != null ? sb.keys : new HashMap<>();
      Token first = seen.get(key);
      if (first != null) {
        warn(
            keyTok,
            "'"
                + key
                + "' is set again in "
                + where(section, blk, sb)
                + " (first at line "
                + first.line()
                + "); the last value wins");
      }
      Token valuePos = vals.isEmpty() ? keyTok : vals.get(0);
      seen.put(key, valuePos);
      Value value = new Value(values, spec.get(), vals, blk);
      switch (section) {
        case GLOBAL -> Keys.globalKey(key).orElseThrow().apply(value, g);
        case VIRTUAL ->
            Keys.virtualKey(key)
                .orElseThrow()
                .apply(value, (blk == null ? new VirtualBlock("virtual", "?", keyTok) : blk).b);
        case SERVER ->
            Keys.serverKey(key)
                .orElseThrow()
                .apply(value, sb == null ? new ServerBlock("?", keyTok, 0) : sb);
      }
    }

    String valueHint(Spec s) {
      return switch (s.arity()) {
        case 2 -> "VALUE VALUE";
        case Keys.LIST -> "[ ... ]";
        default -> "VALUE";
      };
    }

    void unknownKey(
        Section section, Token keyTok, @Nullable VirtualBlock blk, @Nullable ServerBlock sb) {
      String key = keyTok.text();
      if (key.contains("=") && !key.startsWith("=")) {
        String k = key.substring(0, key.indexOf('='));
        String v = key.substring(key.indexOf('=') + 1);
        err(
            keyTok,
            "put blanks around '=': '"
                + k
                + " = "
                + (v.isEmpty() ? "VALUE" : v)
                + "', not '"
                + key
                + "'");
        return;
      }
      for (Section other : Section.values()) {
        if (other != section && Keys.find(other, key).isPresent()) {
          String msg =
              switch (other) {
                case GLOBAL ->
                    "'"
                        + key
                        + "' is a global key: it cannot be used inside "
                        + where(section, blk, sb)
                        + " (write it before or between the blocks)";
                case VIRTUAL ->
                    "'"
                        + key
                        + "' is a virtual-service key: it cannot be used in "
                        + where(section, blk, sb)
                        + (section == Section.GLOBAL
                            ? " (put it inside 'virtual NAME { ... }')"
                            : " (put it in the enclosing virtual block)");
                case SERVER ->
                    "'"
                        + key
                        + "' is a real-server key: it cannot be used in "
                        + where(section, blk, sb)
                        + " (put it inside 'server NAME { ... }')";
              };
          err(keyTok, msg);
          return;
        }
      }
      String msg = "unknown key '" + key + "' in " + where(section, blk, sb);
      Optional<String> s = Keys.suggest(section, key);
      if (s.isPresent()) {
        msg += " (did you mean '" + s.get() + "'?)";
      }
      err(keyTok, msg);
    }

    // ---------------------------------------------------------------- finish

    List<VirtualService> finishBlocks(List<VirtualBlock> blocks) {
      List<VirtualService> out = new ArrayList<>();
      for (VirtualBlock blk : blocks) {
        List<RealServer> servers = new ArrayList<>();
        for (ServerBlock sb : blk.servers) {
          if (sb.address == null) {
            if (!sb.hadError) {
              err(
                  sb.opener,
                  "server '" + sb.name + "' in " + blk.label() + " has no 'address = IP'");
            }
            continue;
          }
          servers.add(new RealServer(sb.name, sb.address, sb.active, sb.weight, sb.port));
        }
        blk.b.servers = servers;
        out.add(blk.b.build());
      }
      return out;
    }

    SourceMap sourceMap() {
      Map<String, SourceMap.Position> m = new HashMap<>();
      for (Map.Entry<String, Token> e : globalKeys.entrySet()) {
        m.put("global/" + e.getKey(), pos(e.getValue()));
      }
      List<VirtualBlock> all = new ArrayList<>(virtuals);
      all.addAll(failovers);
      for (VirtualBlock blk : all) {
        m.putIfAbsent(blk.path(), pos(blk.opener));
        for (Map.Entry<String, Token> e : blk.keys.entrySet()) {
          m.putIfAbsent(blk.path() + "/" + e.getKey(), pos(e.getValue()));
        }
        for (ServerBlock sb : blk.servers) {
          String sp = blk.path() + "/server:" + sb.name;
          m.putIfAbsent(sp, pos(sb.opener));
          for (Map.Entry<String, Token> e : sb.keys.entrySet()) {
            m.putIfAbsent(sp + "/" + e.getKey(), pos(e.getValue()));
          }
        }
      }
      return new SourceMap(file, m);
    }

    SourceMap.Position pos(Token t) {
      return new SourceMap.Position(t.line(), t.col());
    }
  }
}
