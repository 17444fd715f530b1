package io.lvspulse.config;

import io.lvspulse.config.Keys.Section;
import io.lvspulse.config.Keys.Spec;
import io.lvspulse.config.Lexer.Token;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * <p>A parse costs time linear in the file's size and memory bounded by its {@link Limits}: the
 * file is read one line at a time, the number of blocks is capped (a parse that exceeds a limit
 * stops with one error saying which), and so are the diagnostics kept ({@link Report}). A bad file
 * can never exhaust the daemon's heap on a reload.
 *
 * <p>Instances are immutable and thread-safe; host names are resolved once per parse.
 */
public final class LvsConfigParser {
  private static volatile @Nullable ServiceNames systemServices;

  private final HostResolver resolver;
  private final ServiceNames services;
  private final Limits limits;

  /**
   * What one parse may read and keep. The defaults ({@link #forHeap}) follow the JVM's heap, so the
   * daemon under the unit's {@code -Xmx64m} refuses a file it could not hold, with a message that
   * says so, instead of running out of memory.
   *
   * @param maxFileBytes the largest file read (in characters, for a text given as a string)
   * @param maxLineChars the longest line read (a longer one is an error, and is not tokenised)
   * @param maxTokenChars the longest word or quoted string
   * @param maxBlocks the most {@code virtual}, {@code failover} and {@code server} blocks together
   * @param maxErrors errors listed (the rest are counted in one "N more errors" line)
   * @param maxWarnings warnings listed (likewise)
   */
  public record Limits(
      long maxFileBytes,
      int maxLineChars,
      int maxTokenChars,
      int maxBlocks,
      int maxErrors,
      int maxWarnings) {

    /**
     * Heap one block may need during a reload: the parse's own block (about 1 KB), the running
     * monitor's state of a server (about 2.3 KB, docs/benchmarks.md) and room for the old and the
     * new config side by side.
     */
    public static final long HEAP_PER_BLOCK = 6 * 1024;

    public Limits {
      if (maxFileBytes < 1
          || maxLineChars < 1
          || maxTokenChars < Report.SHOWN
          || maxBlocks < 1
          || maxErrors < 1
          || maxWarnings < 1) {
        throw new IllegalArgumentException("bad parser limits");
      }
    }

    /**
     * The limits for a heap of {@code maxHeapBytes}: files up to 1/16 of the heap in whole MiB (at
     * least 1 MiB, at most 64 MiB; 3 MiB under -Xmx64m, where an lvs.cf of 10,000 servers takes
     * about 0.9 MB), lines of 65,536 and values of 4,096 characters, one block per {@link
     * #HEAP_PER_BLOCK} of heap in whole hundreds (at least 1,000; 10,500 under -Xmx64m), 100 errors
     * and 100 warnings listed.
     */
    public static Limits forHeap(long maxHeapBytes) {
      long mib = 1L << 20;
      long file = Math.max(mib, Math.min(64 * mib, maxHeapBytes / 16) / mib * mib);
      long blocks =
          Math.max(1000, Math.min(Integer.MAX_VALUE, maxHeapBytes / HEAP_PER_BLOCK) / 100 * 100);
      return new Limits(file, 65_536, 4_096, (int) blocks, 100, 100);
    }

    /** {@link #forHeap} of this JVM's maximum heap. */
    public static Limits defaults() {
      return forHeap(Runtime.getRuntime().maxMemory());
    }

    /** These limits with another block limit. */
    public Limits withMaxBlocks(int n) {
      return new Limits(maxFileBytes, maxLineChars, maxTokenChars, n, maxErrors, maxWarnings);
    }

    /** These limits with another file size limit. */
    public Limits withMaxFileBytes(long n) {
      return new Limits(n, maxLineChars, maxTokenChars, maxBlocks, maxErrors, maxWarnings);
    }

    /**
     * Thrown by the lexer past {@link #maxFileBytes} characters (a file that grew as it was read).
     */
    static final class TooLarge extends RuntimeException {
      private static final long serialVersionUID = 1L;

      TooLarge() {
        super(null, null, false, false);
      }
    }
  }

  /** A parser using the system resolver and {@code /etc/services}, with the default limits. */
  public LvsConfigParser() {
    this(HostResolver.system(), defaultServices());
  }

  /** A parser with its own resolver and service table (tests, fuzzing), with the default limits. */
  public LvsConfigParser(HostResolver resolver, ServiceNames services) {
    this(resolver, services, Limits.defaults());
  }

  /** A parser with its own resolver, service table and limits. */
  public LvsConfigParser(HostResolver resolver, ServiceNames services, Limits limits) {
    this.resolver = resolver;
    this.services = services;
    this.limits = limits;
  }

  /** This parser with other limits. */
  public LvsConfigParser withLimits(Limits l) {
    return new LvsConfigParser(resolver, services, l);
  }

  /** The limits of this parser. */
  public Limits limits() {
    return limits;
  }

  private static ServiceNames defaultServices() {
    ServiceNames s = systemServices;
    if (s == null) {
      s = ServiceNames.system();
      systemServices = s;
    }
    return s;
  }

  /**
   * Reads and parses a file, one line at a time (invalid UTF-8 is read as U+FFFD); its name in
   * messages is {@code file} as given. A file larger than {@link Limits#maxFileBytes} is not read.
   */
  public ParsedConfig parse(Path file) throws ConfigException {
    String name = file.toString();
    try {
      long size = Files.size(file);
      if (size > limits.maxFileBytes()) {
        throw tooLarge(name, size);
      }
      try (Reader in =
          new BufferedReader(
              new InputStreamReader(
                  Files.newInputStream(file),
                  StandardCharsets.UTF_8
                      .newDecoder()
                      .onMalformedInput(CodingErrorAction.REPLACE)
                      .onUnmappableCharacter(CodingErrorAction.REPLACE)),
              1 << 16)) {
        return parse(name, in);
      }
    } catch (IOException | UncheckedIOException | InvalidPathException | SecurityException e) {
      Exception cause =
          e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
      String why =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (cause instanceof java.nio.file.NoSuchFileException) {
        why = "no such file";
      } else if (cause instanceof java.nio.file.AccessDeniedException) {
        why = "permission denied";
      }
      throw new ConfigException(
          List.of(Diagnostic.error(name, 1, 1, "cannot read the file: " + why)), List.of());
    }
  }

  /** Parses {@code text}; {@code sourceName} is the file name used in messages. */
  public ParsedConfig parse(String sourceName, String text) throws ConfigException {
    if (text.length() > limits.maxFileBytes()) {
      throw tooLarge(sourceName, text.length());
    }
    return parse(sourceName, new StringReader(text));
  }

  private ParsedConfig parse(String sourceName, Reader text) throws ConfigException {
    try {
      return new Run(sourceName, text).run();
    } catch (ConfigException | UncheckedIOException e) {
      throw e;
    } catch (Limits.TooLarge e) {
      throw tooLarge(sourceName, -1);
    } catch (RuntimeException | StackOverflowError e) {
      throw new ConfigException(
          List.of(Diagnostic.error(sourceName, 1, 1, "internal parser error: " + e)), List.of());
    }
  }

  /**
   * The error for a file of {@code size} bytes ({@code -1}: it grew past the limit as it was read).
   */
  private ConfigException tooLarge(String name, long size) {
    return new ConfigException(
        List.of(
            Diagnostic.error(
                name,
                1,
                1,
                "the file is "
                    + (size >= 0 ? size + " bytes" : "larger than that")
                    + ": lvs-pulse reads files of at most "
                    + limits.maxFileBytes()
                    + " bytes with this heap (an lvs.cf with 10,000 real servers is about 1 MB);"
                    + " a larger heap (-Xmx in JAVA_OPTS) raises the limit")),
        List.of());
  }

  /** Thrown when the file has more blocks than {@link Limits#maxBlocks}: the parse stops there. */
  private static final class TooManyBlocks extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyBlocks() {
      super(null, null, false, false);
    }
  }

  private final class Run {
    final String file;
    final Lexer.Stream toks;
    int pos;
    int blocks;
    final Report report;
    final Value.Context values;
    final GlobalSettings.Builder g = GlobalSettings.builder();
    final Map<String, Token> globalKeys = new LinkedHashMap<>();
    final List<VirtualBlock> virtuals = new ArrayList<>();
    final List<VirtualBlock> failovers = new ArrayList<>();

    /** The first block of each name, for duplicate names (each reported once, against it). */
    final Map<String, VirtualBlock> virtualNames = new HashMap<>();

    final Map<String, VirtualBlock> failoverNames = new HashMap<>();

    Run(String file, Reader text) {
      this.file = file;
      this.report = new Report(file, limits.maxErrors(), limits.maxWarnings());
      this.values = new Value.Context(report, resolver, services);
      this.toks = new Lexer.Stream(text, limits);
    }

    /** True if there is a token at {@code i}. */
    boolean has(int i) {
      return toks.has(i);
    }

    Token tok(int i) {
      return toks.get(i);
    }

    /** Counts a block; past the limit the parse stops with one error. */
    void countBlock(Token kw) {
      if (++blocks > limits.maxBlocks()) {
        err(
            kw,
            "too many blocks: the file has more than "
                + limits.maxBlocks()
                + " virtual, failover and server blocks, the most lvs-pulse holds with this heap"
                + " ("
                + (Runtime.getRuntime().maxMemory() >> 20)
                + " MB; about "
                + (Limits.HEAP_PER_BLOCK >> 10)
                + " KB per block); nothing after this line was read (a larger heap, -Xmx in"
                + " JAVA_OPTS, raises the limit)");
        throw new TooManyBlocks();
      }
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
      return (int) Math.min(Integer.MAX_VALUE - 1L, toks.lineLength(line)) + 1;
    }

    // ---------------------------------------------------------------- token stream

    @Nullable Token peekSameLine(int line) {
      if (has(pos) && tok(pos).line() == line) {
        return tok(pos);
      }
      return null;
    }

    boolean startsComment(Token t) {
      return !t.quoted() && t.error() == null && t.text().startsWith("#");
    }

    /** True if the token at {@code i} can begin a directive, a block keyword, '}' or a comment. */
    boolean isDirectiveStart(int i) {
      Token t = tok(i);
      if (t.quoted() || t.error() != null) {
        return false;
      }
      String s = t.text();
      if (s.equals("}") || s.startsWith("#") || Keys.isKnownWord(s)) {
        return true;
      }
      return has(i + 1) && tok(i + 1).line() == t.line() && tok(i + 1).is("=");
    }

    void skipToDirectiveStart(int line) {
      while (has(pos) && tok(pos).line() == line && !isDirectiveStart(pos)) {
        pos++;
      }
    }

    void skipLine(int line) {
      while (has(pos) && tok(pos).line() == line) {
        pos++;
      }
    }

    // ---------------------------------------------------------------- structure

    ParsedConfig run() throws ConfigException {
      try {
        structure();
      } catch (TooManyBlocks e) {
        throw report.exception();
      }
      List<VirtualService> vs = finishBlocks(virtuals);
      List<VirtualService> fs = finishBlocks(failovers);
      GlobalSettings global = g.build();
      LvsConfig config = new LvsConfig(global, vs, fs);
      new ConfigChecks(report, globalKeys, virtuals, failovers).run(config);
      if (report.errorCount() > 0) {
        throw report.exception();
      }
      return new ParsedConfig(config, report.warnings(), sourceMap(), report.warningCount());
    }

    /** The global section and the blocks, to the end of the text. */
    void structure() {
      while (has(pos)) {
        toks.release(pos);
        Token t = tok(pos);
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
                  + Report.show(name.substring(0, name.length() - 1))
                  + " {'");
          name = name.substring(0, name.length() - 1);
          braceSeen = true;
        }
      }
      if (!braceSeen) {
        Token brace = peekSameLine(kw.line());
        if (brace != null && brace.is("{")) {
          pos++;
        } else if (brace == null && has(pos) && tok(pos).is("{")) {
          err(tok(pos), "'{' must be on the same line as '" + kind + " " + Report.show(name) + "'");
          pos++;
        } else if (brace != null) {
          err(
              brace,
              "expected '{' after '"
                  + kind
                  + " "
                  + Report.show(name)
                  + "', found '"
                  + brace.shown()
                  + "'");
          skipToDirectiveStart(kw.line());
        } else {
          errAt(
              kw.line(),
              eol(kw.line()),
              "expected '{' after '" + kind + " " + Report.show(name) + "'");
        }
      }
      return new Header(name, nameTok);
    }

    void parseBlock(Token kw) {
      countBlock(kw);
      String kind = kw.text();
      Header h = header(kw);
      VirtualBlock blk = new VirtualBlock(kind, h.name(), kw);
      boolean virtual = kind.equals("virtual");
      List<VirtualBlock> scope = virtual ? virtuals : failovers;
      if (!h.name().isEmpty()) {
        VirtualBlock first = (virtual ? virtualNames : failoverNames).putIfAbsent(h.name(), blk);
        if (first != null) {
          Token at = h.nameTok() != null ? h.nameTok() : kw;
          err(
              at,
              "duplicate "
                  + kind
                  + " name '"
                  + Report.show(h.name())
                  + "' (first defined at line "
                  + first.opener.line()
                  + ")");
          blk.hadError = true;
        }
      }
      scope.add(blk);
      body(kw, blk, null);
    }

    void parseServer(VirtualBlock blk, Token kw, boolean keep) {
      countBlock(kw);
      Header h = header(kw);
      ServerBlock sb = new ServerBlock(h.name(), kw, blk.b.port);
      if (!h.name().isEmpty()) {
        ServerBlock first = keep ? blk.serverNames.putIfAbsent(h.name(), sb) : null;
        if (first != null) {
          err(
              h.nameTok() != null ? h.nameTok() : kw,
              "duplicate server name '"
                  + Report.show(h.name())
                  + "' in "
                  + blk.label()
                  + " (first defined at line "
                  + first.opener.line()
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
        if (!has(pos)) {
          err(kw, self.label() + " is not closed: '}' is missing (the block opens here)");
          self.hadError = true;
          return;
        }
        toks.release(pos);
        Token t = tok(pos);
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
        case SERVER -> "server '" + (sb == null ? "?" : Report.show(sb.name)) + "'";
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
          err(
              eq,
              "put a blank after '=': '" + key + " = " + Report.show(eq.text().substring(1)) + "'");
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
                  && has(pos + 1)
                  && tok(pos + 1).line() == line
                  && tok(pos + 1).is("=");
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
      String key = Report.show(keyTok.text());
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
        if (other != section && Keys.find(other, keyTok.text()).isPresent()) {
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
      Optional<String> s = Keys.suggest(section, keyTok.text());
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
              err(sb.opener, sb.label() + " in " + blk.label() + " has no 'address = IP'");
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
