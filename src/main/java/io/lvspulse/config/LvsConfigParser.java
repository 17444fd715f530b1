package io.lvspulse.config;

import io.lvspulse.config.Keys.Section;
import io.lvspulse.config.Keys.Spec;
import io.lvspulse.config.Lexer.Token;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Parses lvs.cf: every file Piranha 0.8.6 accepts, with Piranha's defaults, plus the flattened form
 * where a whole block sits on one line (each key's value count tells where the next directive
 * starts). Reports every error and warning as {@code FILE:LINE:COL: error: MESSAGE}; throws nothing
 * but {@link ConfigException}.
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

  /** Block state while parsing: the builder plus where each key was written. */
  private static final class Block {
    final String kind; // "virtual" or "failover"
    final String name;
    final Token opener;
    final VirtualService.Builder b;
    final Map<String, Token> keys = new HashMap<>();
    final List<ServerBlock> servers = new ArrayList<>();
    boolean hadError;
    @Nullable Token portName;
    Map<String, Integer> portNameProtocols = Map.of();

    Block(String kind, String name, Token opener) {
      this.kind = kind;
      this.name = name;
      this.opener = opener;
      this.b = VirtualService.builder(name);
    }

    String label() {
      return kind + " '" + name + "'";
    }

    String path() {
      return kind + ":" + name;
    }
  }

  private static final class ServerBlock {
    final String name;
    final Token opener;
    final Map<String, Token> keys = new HashMap<>();
    @Nullable InetAddress address;
    boolean active;
    int weight = 1;
    int port;
    boolean hadError;

    ServerBlock(String name, Token opener, int port) {
      this.name = name;
      this.opener = opener;
      this.port = port;
    }
  }

  private final class Run {
    final String file;
    final List<Token> toks;
    final List<Integer> lineLengths;
    int pos;
    final List<Diagnostic> errors = new ArrayList<>();
    final List<Diagnostic> warnings = new ArrayList<>();
    final GlobalSettings.Builder g = GlobalSettings.builder();
    final Map<String, Token> globalKeys = new LinkedHashMap<>();
    final List<Block> virtuals = new ArrayList<>();
    final List<Block> failovers = new ArrayList<>();
    final Map<String, InetAddress> resolved = new HashMap<>();

    Run(String file, String text) {
      this.file = file;
      Lexer.Result r = Lexer.lex(text);
      this.toks = r.tokens();
      this.lineLengths = r.lineLengths();
    }

    // ---------------------------------------------------------------- diagnostics

    void err(Token t, String msg) {
      errors.add(Diagnostic.error(file, t.line(), t.col(), msg));
    }

    void errAt(int line, int col, String msg) {
      errors.add(Diagnostic.error(file, line, Math.max(1, col), msg));
    }

    void warn(@Nullable Token t, String msg) {
      warnings.add(
          t == null
              ? Diagnostic.warning(file, 1, 1, msg)
              : Diagnostic.warning(file, t.line(), t.col(), msg));
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
          parseServer(new Block("virtual", "?", t), t, false);
        } else {
          directive(Section.GLOBAL, t, null, null);
        }
      }
      List<VirtualService> vs = finishBlocks(virtuals);
      List<VirtualService> fs = finishBlocks(failovers);
      GlobalSettings global = finishGlobal();
      LvsConfig config = new LvsConfig(global, vs, fs);
      semanticChecks(config);
      Comparator<Diagnostic> order =
          Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column);
      errors.sort(order);
      warnings.sort(order);
      if (!errors.isEmpty()) {
        throw new ConfigException(errors, warnings);
      }
      return new ParsedConfig(config, warnings, sourceMap());
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
      Block blk = new Block(kind, h.name(), kw);
      List<Block> scope = kind.equals("virtual") ? virtuals : failovers;
      for (Block other : scope) {
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
      while (true) {
        if (pos >= toks.size()) {
          err(kw, blk.label() + " is not closed: '}' is missing (the block opens here)");
          blk.hadError = true;
          return;
        }
        Token t = toks.get(pos);
        if (startsComment(t)) {
          skipLine(t.line());
          continue;
        }
        if (t.is("virtual") || t.is("failover")) {
          err(
              t,
              "'"
                  + t.text()
                  + "' inside "
                  + blk.label()
                  + " (opened at line "
                  + kw.line()
                  + "): a '}' is missing before it");
          blk.hadError = true;
          return;
        }
        pos++;
        if (t.error() != null) {
          err(t, t.error());
          blk.hadError = true;
          skipToDirectiveStart(t.line());
        } else if (t.is("}")) {
          return;
        } else if (t.is("server")) {
          parseServer(blk, t, true);
        } else {
          int before = errors.size();
          directive(Section.VIRTUAL, t, blk, null);
          if (errors.size() > before) {
            blk.hadError = true;
          }
        }
      }
    }

    void parseServer(Block blk, Token kw, boolean keep) {
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
      while (true) {
        if (pos >= toks.size()) {
          err(kw, "server '" + h.name() + "' is not closed: '}' is missing (the block opens here)");
          sb.hadError = true;
          return;
        }
        Token t = toks.get(pos);
        if (startsComment(t)) {
          skipLine(t.line());
          continue;
        }
        if (t.is("virtual") || t.is("failover")) {
          // the enclosing block reports the missing '}' at this token
          sb.hadError = true;
          return;
        }
        if (t.is("server")) {
          err(
              t,
              "'server' inside server '"
                  + h.name()
                  + "' (opened at line "
                  + kw.line()
                  + "): a '}' is missing before it");
          sb.hadError = true;
          return;
        }
        pos++;
        if (t.error() != null) {
          err(t, t.error());
          sb.hadError = true;
          skipToDirectiveStart(t.line());
        } else if (t.is("}")) {
          return;
        } else {
          int before = errors.size();
          directive(Section.SERVER, t, blk, sb);
          if (errors.size() > before) {
            sb.hadError = true;
          }
        }
      }
    }

    String where(Section section, @Nullable Block blk, @Nullable ServerBlock sb) {
      return switch (section) {
        case GLOBAL -> "the global section";
        case VIRTUAL -> blk == null ? "a virtual block" : blk.label();
        case SERVER -> "server '" + (sb == null ? "?" : sb.name) + "'";
      };
    }

    void directive(Section section, Token keyTok, @Nullable Block blk, @Nullable ServerBlock sb) {
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
      switch (section) {
        case GLOBAL -> applyGlobal(key, vals);
        case VIRTUAL ->
            applyVirtual(key, vals, blk == null ? new Block("virtual", "?", keyTok) : blk);
        case SERVER -> applyServer(key, vals, sb == null ? new ServerBlock("?", keyTok, 0) : sb);
      }
    }

    String valueHint(Spec s) {
      return switch (s.arity()) {
        case 2 -> "VALUE VALUE";
        case Keys.LIST -> "[ ... ]";
        default -> "VALUE";
      };
    }

    void unknownKey(Section section, Token keyTok, @Nullable Block blk, @Nullable ServerBlock sb) {
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

    // ---------------------------------------------------------------- values

    @Nullable Long number(Token v, String key) {
      CNumbers.Parsed p = CNumbers.strtol(v.text());
      if (p.error() != null) {
        err(
            v,
            "bad number for '"
                + key
                + "': "
                + p.error()
                + " (expected an integer: decimal, 0x hex, or leading-0 octal)");
        return null;
      }
      if (p.octal()) {
        warn(
            v,
            "'"
                + key
                + " = "
                + v.text()
                + "' is octal (leading 0), so it means "
                + p.value()
                + ", as in Piranha; write "
                + p.value()
                + " if that is what you mean");
      }
      return p.value();
    }

    @Nullable Integer intIn(Token v, String key, long min, long max) {
      Long n = number(v, key);
      if (n == null) {
        return null;
      }
      if (n < min || n > max) {
        if (max == Integer.MAX_VALUE && n > max) {
          err(v, "'" + key + "' is too large: " + n + " (at most " + max + ")");
        } else if (max == Integer.MAX_VALUE) {
          err(v, "'" + key + "' must be at least " + min + ", found " + n);
        } else {
          err(v, "'" + key + "' must be between " + min + " and " + max + ", found " + n);
        }
        return null;
      }
      return n.intValue();
    }

    @Nullable Boolean bool(Token v, String key) {
      if (CNumbers.strtol(v.text()).error() != null) {
        err(v, "'" + key + "' must be 0 or 1, found '" + v.text() + "'");
        return null;
      }
      Long n = number(v, key);
      if (n == null) {
        return null;
      }
      if (n != 0 && n != 1) {
        err(v, "'" + key + "' must be 0 or 1, found " + v.text());
        return null;
      }
      return n == 1;
    }

    @Nullable Duration seconds(Token v, String key, long min) {
      Integer n = intIn(v, key, min, Integer.MAX_VALUE);
      return n == null ? null : Duration.ofSeconds(n);
    }

    @Nullable InetAddress address(Token v, String key, boolean allowNames) {
      String s = v.text();
      InetAddress a = CNumbers.inetAton(s);
      if (a != null) {
        if (!a.getHostAddress().equals(s)) {
          warn(
              v,
              "'"
                  + key
                  + " = "
                  + s
                  + "' is read as "
                  + a.getHostAddress()
                  + " (inet_aton: short forms, hex and leading-0 octal parts); write "
                  + a.getHostAddress());
        }
        return a;
      }
      if (s.matches("[0-9.]+") || !allowNames) {
        err(
            v,
            "'"
                + s
                + "' is not a valid IPv4 address for '"
                + key
                + "'"
                + (allowNames ? "" : " (a dotted quad such as 10.0.0.1 is required here)"));
        return null;
      }
      InetAddress cached = resolved.get(s);
      if (cached != null) {
        return cached;
      }
      try {
        InetAddress r = resolver.resolve(s);
        if (!(r instanceof java.net.Inet4Address)) {
          err(v, "host name '" + s + "' for '" + key + "' has no IPv4 address");
          return null;
        }
        InetAddress plain = InetAddress.getByAddress(r.getAddress());
        resolved.put(s, plain);
        return plain;
      } catch (UnknownHostException | RuntimeException e) {
        err(v, "cannot resolve host name '" + s + "' for '" + key + "'");
        return null;
      }
    }

    @Nullable InetAddress netmask(Token v, String key) {
      InetAddress a = CNumbers.inetAton(v.text());
      if (a == null) {
        err(
            v,
            "bad netmask '"
                + v.text()
                + "' for '"
                + key
                + "': expected a dotted quad such as 255.255.255.0");
        return null;
      }
      if (!CNumbers.contiguous(a)) {
        err(
            v,
            "bad netmask '"
                + v.text()
                + "' for '"
                + key
                + "': the one bits must be contiguous, such as 255.255.255.0");
        return null;
      }
      return a;
    }

    @Nullable Integer port(Token v, String key, @Nullable Block blk) {
      String s = v.text();
      if (!s.isEmpty()
          && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-' || s.charAt(0) == '+')) {
        return intIn(v, key, 0, 65535);
      }
      Map<String, Integer> protos = services.protocols(s);
      if (protos.isEmpty()) {
        err(
            v,
            "bad port for '"
                + key
                + "': '"
                + s
                + "' is neither a number nor a service name in /etc/services");
        return null;
      }
      if (blk != null) {
        blk.portName = v;
        blk.portNameProtocols = protos;
      }
      Integer p = protos.get("tcp");
      return p != null ? p : protos.values().iterator().next();
    }

    Optional<String> string(Token v) {
      return v.text().isEmpty() ? Optional.empty() : Optional.of(v.text());
    }

    // ---------------------------------------------------------------- apply

    void applyGlobal(String key, List<Token> vals) {
      Token v = vals.isEmpty() ? null : vals.get(0);
      if (v == null) {
        return;
      }
      switch (key) {
        case "serial_no" ->
            set(intIn(v, key, Integer.MIN_VALUE, Integer.MAX_VALUE), x -> g.serialNo = x);
        case "primary" -> set(nonZeroHost(v, key), x -> g.primary = Optional.of(x));
        case "primary_private" -> set(nonZeroHost(v, key), x -> g.primaryPrivate = Optional.of(x));
        case "primary_shared" -> g.primaryShared = string(v);
        case "backup" -> set(address(v, key, true), x -> g.backup = Optional.of(x));
        case "backup_private" -> set(nonZeroHost(v, key), x -> g.backupPrivate = Optional.of(x));
        case "backup_shared" -> g.backupShared = string(v);
        case "backup_active" -> set(bool(v, key), x -> g.backupActive = x);
        case "heartbeat" -> set(bool(v, key), x -> g.heartbeat = x);
        case "heartbeat_port" -> {
          Integer p = port(v, key, null);
          if (p != null && p == 0) {
            err(v, "'heartbeat_port' must be between 1 and 65535, found 0");
          } else {
            set(p, x -> g.heartbeatPort = x);
          }
        }
        case "keepalive" -> set(seconds(v, key, 1), x -> g.keepalive = x);
        case "deadtime" -> set(seconds(v, key, 1), x -> g.deadtime = x);
        case "network" -> {
          Optional<Network> n = Network.fromKeyword(v.text());
          if (n.isEmpty()) {
            err(v, "'network' must be direct, nat or tunnel, found '" + v.text() + "'");
          } else {
            g.network = n.get();
          }
        }
        case "nat_router" -> {
          InetAddress a = address(v, key, true);
          if (a != null) {
            g.natRouter = Optional.of(new NatRouter(a, vals.get(1).text()));
          }
        }
        case "nat_nmask" -> set(netmask(v, key), x -> g.natNetmask = nonZeroMask(x));
        case "service" -> {
          Optional<ServiceType> t = ServiceType.fromKeyword(v.text());
          if (t.isEmpty()) {
            err(v, "'service' must be lvs or fos, found '" + v.text() + "'");
          } else {
            g.service = t.get();
          }
        }
        case "debug_level" -> g.debugLevel = v.text();
        case "rsh_command" -> {
          if (v.text().isEmpty()) {
            err(v, "'rsh_command' must not be empty");
          } else {
            g.rshCommand = v.text();
          }
        }
        case "sync" -> set(bool(v, key), x -> g.sync = x);
        case "ipvsadm" -> set(path(v, key), x -> g.ipvsadm = x);
        case "active_cmd" -> g.activeCmd = string(v);
        case "inactive_cmd" -> g.inactiveCmd = string(v);
        case "monitor_links" -> set(number(v, key), x -> g.monitorLinks = x != 0);
        case "syncdaemon" -> set(bool(v, key), x -> g.syncdaemon = x);
        case "syncd_iface" -> {
          if (v.text().isEmpty()) {
            err(v, "'syncd_iface' must not be empty");
          } else {
            g.syncdIface = v.text();
          }
        }
        case "syncd_id" -> {
          Integer n = intIn(v, key, Integer.MIN_VALUE, Integer.MAX_VALUE);
          if (n != null) {
            if (n < 0 || n > 255) {
              warn(
                  v,
                  "'syncd_id = "
                      + n
                      + "' is outside 0..255; it is masked to "
                      + (n & 0xff)
                      + " as in Piranha");
            }
            g.syncdId = n & 0xff;
          }
        }
        case "tcp_timeout" -> set(intIn(v, key, 0, Integer.MAX_VALUE), x -> g.tcpTimeout = x);
        case "tcpfin_timeout" -> set(intIn(v, key, 0, Integer.MAX_VALUE), x -> g.tcpfinTimeout = x);
        case "udp_timeout" -> set(intIn(v, key, 0, Integer.MAX_VALUE), x -> g.udpTimeout = x);
        case "hard_shutdown" -> set(bool(v, key), x -> g.hardShutdown = x);
        case "reservation_conflict_action" -> {
          Optional<ReservationConflictAction> a = ReservationConflictAction.fromKeyword(v.text());
          if (a.isEmpty()) {
            err(
                v,
                "'reservation_conflict_action' must be nothing or preempt, found '"
                    + v.text()
                    + "'");
          } else {
            g.reservationConflictAction = a;
          }
        }
        case "heartbeat_key_file" -> set(path(v, key), x -> g.heartbeatKeyFile = Optional.of(x));
        case "failback" -> set(bool(v, key), x -> g.failback = x);
        case "manage_firewall" -> set(bool(v, key), x -> g.manageFirewall = x);
        case "director_mode" -> {
          Optional<DirectorMode> m = DirectorMode.fromKeyword(v.text());
          if (m.isEmpty()) {
            err(v, "'director_mode' must be pair or ecmp, found '" + v.text() + "'");
          } else {
            g.directorMode = m.get();
          }
        }
        case "announce_quorum" ->
            set(intIn(v, key, 1, Integer.MAX_VALUE), x -> g.announceQuorum = x);
        case "announce_rise" -> set(intIn(v, key, 1, 1000), x -> g.announceRise = x);
        case "announce_fall" -> set(intIn(v, key, 1, 1000), x -> g.announceFall = x);
        case "announce_interval" -> set(duration(v, key), x -> g.announceInterval = x);
        case "bird_socket" -> set(path(v, key), x -> g.birdSocket = x);
        default -> throw new IllegalStateException("unhandled global key " + key);
      }
    }

    @Nullable InetAddress nonZeroHost(Token v, String key) {
      InetAddress a = address(v, key, true);
      if (a != null && CNumbers.toLong(a) == 0) {
        err(v, "'" + key + "' must not be 0.0.0.0");
        return null;
      }
      return a;
    }

    Optional<InetAddress> nonZeroMask(InetAddress m) {
      return CNumbers.toLong(m) == 0 ? Optional.empty() : Optional.of(m);
    }

    @Nullable Path path(Token v, String key) {
      if (v.text().isEmpty()) {
        err(v, "'" + key + "' must not be empty");
        return null;
      }
      try {
        return Path.of(v.text());
      } catch (InvalidPathException e) {
        err(v, "'" + v.text() + "' is not a valid path for '" + key + "'");
        return null;
      }
    }

    void applyVirtual(String key, List<Token> vals, Block blk) {
      VirtualService.Builder b = blk.b;
      if (key.equals("dirs")) {
        List<String> d = new ArrayList<>();
        for (Token t : vals) {
          d.add(t.text());
        }
        b.dirs = d;
        return;
      }
      Token v = vals.get(0);
      switch (key) {
        case "active" -> set(bool(v, key), x -> b.active = x);
        case "address" -> {
          InetAddress a = address(v, key, true);
          String dev = vals.get(1).text();
          if (dev.isEmpty()) {
            err(vals.get(1), "the device of 'address' must not be empty (e.g. eth0:1)");
          } else if (a != null) {
            b.address = Optional.of(new VirtualAddress(a, dev));
          }
        }
        case "vip_nmask" -> set(netmask(v, key), x -> b.vipNetmask = nonZeroMask(x));
        case "sorry_server" -> set(address(v, key, false), x -> b.sorryServer = nonZeroMask(x));
        case "fwmark" -> set(intIn(v, key, 0, Integer.MAX_VALUE), x -> b.fwmark = x);
        case "port" -> {
          Integer p = port(v, key, blk);
          if (p != null) {
            for (ServerBlock s : blk.servers) {
              if (!s.keys.containsKey("port") && s.port != p) {
                warn(
                    v,
                    "'port' comes after server '"
                        + s.name
                        + "', which keeps port "
                        + s.port
                        + " (a server takes the virtual port in force at its 'server' line, as in"
                        + " Piranha); move 'port' above the servers");
                break;
              }
            }
            b.port = p;
          }
        }
        case "protocol" -> {
          Optional<Protocol> p = Protocol.fromKeyword(v.text());
          if (p.isEmpty()) {
            err(v, "'protocol' must be tcp or udp, found '" + v.text() + "'");
          } else {
            b.protocol = p.get();
          }
        }
        case "scheduler" -> {
          Optional<Scheduler> s = Scheduler.fromKeyword(v.text());
          if (s.isEmpty()) {
            err(
                v,
                "unknown scheduler '"
                    + v.text()
                    + "': expected one of lc rr wlc wrr lblc lblcr dh sh sed nq mh");
          } else {
            b.scheduler = s.get();
          }
        }
        case "persistent" -> set(seconds(v, key, 0), x -> b.persistent = x);
        case "pmask" ->
            set(
                netmask(v, key),
                x ->
                    b.pmask =
                        CNumbers.toLong(x) == 0xffffffffL ? Optional.empty() : nonZeroMask(x));
        case "send" -> b.send = string(v);
        case "expect" -> b.expect = string(v);
        case "use_regex" -> set(bool(v, key), x -> b.useRegex = x);
        case "send_program" -> b.sendProgram = string(v);
        case "load_monitor" -> {
          if (v.text().isEmpty()) {
            err(v, "'load_monitor' must not be empty (use none)");
          } else {
            b.loadMonitor = v.text();
          }
        }
        case "timeout" -> set(seconds(v, key, 1), x -> b.timeout = x);
        case "reentry" -> {
          Duration d = seconds(v, key, 0);
          if (d != null && d.isZero()) {
            warn(v, "'reentry = 0' means the default 180 seconds (as nanny)");
            d = VirtualService.DEFAULT_REENTRY;
          }
          set(d, x -> b.reentry = x);
        }
        case "quiesce_server" -> set(bool(v, key), x -> b.quiesceServer = x);
        case "client_monitor" -> set(path(v, key), x -> b.clientMonitor = x);
        case "start_cmd" -> b.startCmd = string(v);
        case "stop_cmd" -> b.stopCmd = string(v);
        case "master" -> set(address(v, key, true), x -> b.master = Optional.of(x));
        case "probe_timeout" -> set(duration(v, key), x -> b.probeTimeoutOverride = Optional.of(x));
        case "slow_start" -> set(bool(v, key), x -> b.slowStart = x);
        case "mh_port" -> set(bool(v, key), x -> b.mhPort = x);
        default -> throw new IllegalStateException("unhandled virtual key " + key);
      }
    }

    /** {@code probe_timeout}: integer seconds, or a number with {@code ms} or {@code s}. */
    @Nullable Duration duration(Token v, String key) {
      String s = v.text();
      Duration d = null;
      try {
        if (s.matches("[0-9]{1,9}ms")) {
          d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        } else if (s.matches("[0-9]{1,9}s")) {
          d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        } else if (s.matches("[0-9]{1,9}")) {
          d = Duration.ofSeconds(Long.parseLong(s));
        }
      } catch (NumberFormatException e) {
        d = null;
      }
      if (d == null) {
        err(
            v,
            "bad duration for '"
                + key
                + "': '"
                + s
                + "' (expected seconds such as 3, or milliseconds such as 500ms)");
        return null;
      }
      if (d.isZero()) {
        err(v, "'" + key + "' must be greater than 0");
        return null;
      }
      return d;
    }

    void applyServer(String key, List<Token> vals, ServerBlock sb) {
      Token v = vals.get(0);
      switch (key) {
        case "address" -> {
          InetAddress a = address(v, key, true);
          if (a != null && CNumbers.toLong(a) == 0) {
            err(v, "server 'address' must not be 0.0.0.0");
          } else if (a != null) {
            sb.address = a;
          }
        }
        case "active" -> set(bool(v, key), x -> sb.active = x);
        case "weight" -> set(intIn(v, key, 0, RealServer.MAX_WEIGHT), x -> sb.weight = x);
        case "port" -> {
          String s = v.text();
          if (!s.isEmpty()
              && !Character.isDigit(s.charAt(0))
              && s.charAt(0) != '-'
              && s.charAt(0) != '+') {
            err(
                v,
                "a server 'port' must be a number (Piranha reads it with strtol), found '"
                    + s
                    + "'");
          } else {
            set(intIn(v, key, 0, 65535), x -> sb.port = x);
          }
        }
        default -> throw new IllegalStateException("unhandled server key " + key);
      }
    }

    <T> void set(@Nullable T value, java.util.function.Consumer<T> sink) {
      if (value != null) {
        sink.accept(value);
      }
    }

    // ---------------------------------------------------------------- finish

    GlobalSettings finishGlobal() {
      if (g.primary.isEmpty() && g.primaryPrivate.isPresent()) {
        Token t = globalKeys.get("primary_private");
        if (t != null) {
          warn(t, "'primary_private' without 'primary'");
        }
      }
      return g.build();
    }

    List<VirtualService> finishBlocks(List<Block> blocks) {
      List<VirtualService> out = new ArrayList<>();
      for (Block blk : blocks) {
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
        Token pn = blk.portName;
        if (pn != null && !blk.portNameProtocols.containsKey(blk.b.protocol.keyword())) {
          warn(
              pn,
              "service '"
                  + pn.text()
                  + "' is not defined for "
                  + blk.b.protocol.keyword()
                  + " in /etc/services; using its "
                  + String.join("/", blk.portNameProtocols.keySet())
                  + " port "
                  + blk.b.port);
        }
        out.add(blk.b.build());
      }
      return out;
    }

    // ---------------------------------------------------------------- semantic checks

    Token posOf(Block blk, String key) {
      Token t = blk.keys.get(key);
      return t != null ? t : blk.opener;
    }

    void semanticChecks(LvsConfig config) {
      GlobalSettings gs = config.global();
      if (gs.keepalive().compareTo(gs.deadtime()) >= 0) {
        Token t = globalKeys.getOrDefault("deadtime", globalKeys.get("keepalive"));
        if (t != null) {
          warn(
              t,
              "'deadtime' ("
                  + gs.deadtime().toSeconds()
                  + " s) should be longer than"
                  + " 'keepalive' ("
                  + gs.keepalive().toSeconds()
                  + " s), or one lost heartbeat"
                  + " causes a failover");
        }
      }
      if (gs.backupActive() && gs.backup().isEmpty()) {
        warn(globalKeys.get("backup_active"), "'backup_active = 1' but no 'backup' address is set");
      }
      if (gs.primary().isPresent() && gs.primary().equals(gs.backup())) {
        warn(globalKeys.get("backup"), "'backup' is the same address as 'primary'");
      }
      if (gs.service() == ServiceType.FOS) {
        warn(
            globalKeys.get("service"),
            "'service = fos': lvs-pulse runs LVS only; the failover" + " blocks are ignored");
      }
      checkEcmp(config);
      Map<Integer, Block> fwmarks = new HashMap<>();
      Map<String, Block> endpoints = new HashMap<>();
      Map<InetAddress, Block> vipDevices = new HashMap<>();
      for (int i = 0; i < virtuals.size(); i++) {
        Block blk = virtuals.get(i);
        VirtualService v = config.virtuals().get(i);
        checkVirtual(gs, blk, v);
        if (blk.hadError) {
          continue;
        }
        if (v.active() && v.isFwmark()) {
          Block other = fwmarks.putIfAbsent(v.fwmark(), blk);
          if (other != null) {
            err(
                posOf(blk, "fwmark"),
                "fwmark "
                    + v.fwmark()
                    + " is already used by "
                    + other.label()
                    + " (line "
                    + other.opener.line()
                    + ")");
          }
        }
        if (v.active() && !v.isFwmark() && v.address().isPresent()) {
          String ep =
              v.address().get().address().getHostAddress()
                  + ":"
                  + v.protocol().keyword()
                  + ":"
                  + v.port();
          Block other = endpoints.putIfAbsent(ep, blk);
          if (other != null) {
            err(
                posOf(blk, "port"),
                blk.label()
                    + " uses the same VIP, protocol and port ("
                    + v.address().get().address().getHostAddress()
                    + " "
                    + v.protocol().keyword()
                    + " "
                    + v.port()
                    + ") as "
                    + other.label()
                    + " (line "
                    + other.opener.line()
                    + ")");
          }
        }
        if (v.active() && v.address().isPresent()) {
          VirtualAddress va = v.address().get();
          Block other = vipDevices.putIfAbsent(va.address(), blk);
          if (other != null) {
            VirtualService ov = config.virtual(other.name).orElse(null);
            if (ov != null
                && ov.address().isPresent()
                && !ov.address().get().device().equals(va.device())) {
              warn(
                  posOf(blk, "address"),
                  "VIP "
                      + va.address().getHostAddress()
                      + " is on device "
                      + va.device()
                      + " here but on "
                      + ov.address().get().device()
                      + " in "
                      + other.label());
            }
          }
        }
      }
    }

    /**
     * {@code director_mode = ecmp}: warns about every setting ECMP mode overrides or that breaks it
     * (each is ignored, with the reason), and about a missing {@code udp_timeout}.
     */
    void checkEcmp(LvsConfig config) {
      GlobalSettings gs = config.global();
      if (!gs.ecmp().ecmp()) {
        for (int i = 0; i < virtuals.size(); i++) {
          VirtualService v = config.virtuals().get(i);
          if (v.mhPort() && v.scheduler() != Scheduler.MH) {
            warn(
                posOf(virtuals.get(i), "mh_port"),
                "'mh_port' applies to the mh scheduler only (scheduler = mh, or director_mode ="
                    + " ecmp)");
          }
        }
        return;
      }
      if (gs.primary().isPresent()) {
        warn(
            globalKeys.get("primary"),
            "director_mode = ecmp: 'primary', 'backup' and the heartbeat keys are not used: every"
                + " director is active and announces its VIPs to the router through BIRD");
      }
      boolean udp = false;
      String mode = "in director_mode = ecmp";
      for (int i = 0; i < virtuals.size(); i++) {
        Block blk = virtuals.get(i);
        VirtualService v = config.virtuals().get(i);
        if (blk.hadError || !v.active()) {
          continue;
        }
        String l = blk.label() + ": ";
        if (blk.keys.containsKey("scheduler") && v.scheduler() != Scheduler.MH) {
          warn(
              posOf(blk, "scheduler"),
              l
                  + "'scheduler = "
                  + v.scheduler().keyword()
                  + "' is ignored "
                  + mode
                  + ", which programs -s mh -b mh-fallback: any other scheduler decides on each"
                  + " director alone, so two directors send one client to different real servers");
        }
        if (!v.persistent().isZero()) {
          warn(
              posOf(blk, "persistent"),
              l
                  + "'persistent' is ignored "
                  + mode
                  + " (no -p): a persistence template lives on one director only, while mh keeps a"
                  + " client on the same real server on every director");
        }
        if (blk.keys.containsKey("quiesce_server") && !v.quiesceServer()) {
          warn(
              posOf(blk, "quiesce_server"),
              l
                  + "'quiesce_server = 0' is ignored "
                  + mode
                  + ": a failed real server is always quiesced to weight 0, never deleted, since"
                  + " deleting and adding it again would reshuffle mh's table");
        }
        if (blk.keys.containsKey("slow_start") && v.slowStart()) {
          warn(
              posOf(blk, "slow_start"),
              l
                  + "'slow_start = 1' is ignored "
                  + mode
                  + ": weights stay as configured, since each weight change rebuilds mh's table"
                  + " and the directors would ramp at different times");
        }
        if (v.sorryServer().isPresent()) {
          warn(
              posOf(blk, "sorry_server"),
              l
                  + "'sorry_server' is ignored "
                  + mode
                  + ": a director with too few real servers up withdraws the VIP instead");
        }
        int quorum = gs.ecmp().announceQuorum();
        if (v.activeServers().size() < quorum) {
          warn(
              blk.opener,
              l
                  + v.activeServers().size()
                  + " active real server(s), fewer than announce_quorum = "
                  + quorum
                  + ": no director will ever announce its VIP");
        }
        udp |= v.isFwmark() || v.protocol() == Protocol.UDP;
      }
      if (udp && gs.udpTimeout() == 0) {
        warn(
            globalKeys.get("director_mode"),
            "director_mode = ecmp with UDP services: set 'udp_timeout' (e.g. 10 for TFTP): the"
                + " kernel keeps an idle UDP connection entry 300 s, so a flow a director has seen"
                + " stays on a failed real server that long there, while new flows move at once");
      }
    }

    void checkVirtual(GlobalSettings gs, Block blk, VirtualService v) {
      if (blk.hadError) {
        return;
      }
      if (v.active() && v.address().isEmpty()) {
        err(blk.opener, "active " + blk.label() + " has no 'address = VIP DEVICE'");
      }
      if (v.active() && !v.isFwmark() && v.port() == 0 && v.persistent().isZero()) {
        err(posOf(blk, "port"), blk.label() + ": port 0 needs 'persistent' or a 'fwmark'");
      }
      if (v.active() && v.activeServers().isEmpty()) {
        warn(blk.opener, blk.label() + " has no active real server (a server needs 'active = 1')");
      }
      if (v.reentry().compareTo(v.timeout()) < 0) {
        Token t = blk.keys.containsKey("reentry") ? blk.keys.get("reentry") : posOf(blk, "timeout");
        warn(
            t,
            "'reentry' ("
                + v.reentry().toSeconds()
                + " s) is shorter than 'timeout' ("
                + v.timeout().toSeconds()
                + " s): a failed server returns after one good probe");
      }
      if (v.sendProgram().isPresent() && v.send().isPresent()) {
        warn(posOf(blk, "send"), "'send' is ignored because 'send_program' is set");
      }
      if (v.sendProgram().isPresent() && !v.sendProgram().get().contains("%h")) {
        warn(
            posOf(blk, "send_program"),
            "'send_program' has no %h: every real server runs the" + " same command");
      }
      if (v.useRegex() && v.expect().isPresent()) {
        try {
          Pattern.compile(Escapes.translate(v.expect().get()));
        } catch (PatternSyntaxException | StackOverflowError e) {
          String why = e instanceof PatternSyntaxException p ? p.getDescription() : "too complex";
          err(
              posOf(blk, "expect"),
              "'expect' is not a valid regular expression (use_regex = 1): " + why);
        }
      } else if (v.useRegex() && v.expect().isEmpty()) {
        warn(posOf(blk, "use_regex"), "'use_regex = 1' has no effect without 'expect'");
      }
      if (v.quiesceServer() && !v.persistent().isZero() && v.active()) {
        warn(
            posOf(blk, "quiesce_server"),
            "quiesce_server with persistent: clients that have a"
                + " persistence template keep reaching a quiesced (weight 0) server until the template"
                + " expires; consider sysctl net.ipv4.vs.expire_quiescent_template=1");
      }
      if (v.active()
          && v.protocol() == Protocol.UDP
          && v.send().isEmpty()
          && v.sendProgram().isEmpty()) {
        warn(
            posOf(blk, "protocol"),
            "UDP "
                + blk.label()
                + " has neither 'send' nor"
                + " 'send_program': the probe sends nothing, so no UDP server can ever answer it");
      }
      if (v.probeTimeoutOverride().isPresent()
          && v.probeTimeoutOverride().get().compareTo(v.timeout()) > 0) {
        warn(
            posOf(blk, "probe_timeout"),
            "'probe_timeout' is longer than 'timeout' (the probe" + " interval)");
      }
      if (v.pmask().isPresent() && v.persistent().isZero()) {
        warn(posOf(blk, "pmask"), "'pmask' has no effect without 'persistent'");
      }
      Map<String, ServerBlock> seen = new HashMap<>();
      int idx = 0;
      for (ServerBlock sb : blk.servers) {
        if (sb.address == null) {
          continue;
        }
        RealServer rs = v.servers().get(idx++);
        String key = rs.address().getHostAddress() + ":" + rs.port();
        ServerBlock first = seen.putIfAbsent(key, sb);
        Token at = sb.keys.getOrDefault("address", sb.opener);
        if (first != null) {
          err(
              at,
              "server '"
                  + sb.name
                  + "' has the same address and port ("
                  + key
                  + ") as server '"
                  + first.name
                  + "' (line "
                  + first.opener.line()
                  + ") in "
                  + blk.label());
        }
        if (v.sorryServer().isPresent() && v.sorryServer().get().equals(rs.address())) {
          warn(at, "server '" + sb.name + "' is also the sorry_server of " + blk.label());
        }
        if (rs.active() && rs.weight() == 0) {
          warn(
              sb.keys.getOrDefault("weight", sb.opener),
              "server '" + sb.name + "' has weight 0: it never receives new connections");
        }
        if (!v.isFwmark() && gs.network() != Network.NAT && rs.port() != v.port()) {
          warn(
              sb.keys.getOrDefault("port", sb.opener),
              "server '"
                  + sb.name
                  + "' port "
                  + rs.port()
                  + " differs from the virtual port "
                  + v.port()
                  + ", but network "
                  + gs.network().keyword()
                  + " cannot change ports: packets arrive on port "
                  + v.port());
        }
      }
    }

    SourceMap sourceMap() {
      Map<String, SourceMap.Position> m = new HashMap<>();
      for (Map.Entry<String, Token> e : globalKeys.entrySet()) {
        m.put("global/" + e.getKey(), pos(e.getValue()));
      }
      List<Block> all = new ArrayList<>(virtuals);
      all.addAll(failovers);
      for (Block blk : all) {
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
