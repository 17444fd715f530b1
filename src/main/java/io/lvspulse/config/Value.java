package io.lvspulse.config;

import io.lvspulse.config.Keys.Spec;
import io.lvspulse.config.Lexer.Token;
import io.lvspulse.net.Addresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The values of one directive ({@code key = v1 v2 ...}) as the key table reads them: typed readers
 * that report a bad value at its line and column and then answer empty, so the key keeps its
 * previous value. The readers are the lvs.cf value types (Piranha's: C {@code strtol} numbers,
 * {@code inet_aton} addresses...).
 */
final class Value {
  /** What every value of one parse shares: the report and the host and service lookups. */
  static final class Context {
    final Report report;
    final HostResolver resolver;
    final ServiceNames services;

    /** True once the file's first IPv6 address has been warned about. */
    boolean ipv6Warned;

    /** Host names resolved once per parse. */
    final Map<String, InetAddress> resolved = new HashMap<>();

    Context(Report report, HostResolver resolver, ServiceNames services) {
      this.report = report;
      this.resolver = resolver;
      this.services = services;
    }
  }

  private final Context ctx;
  private final Spec spec;
  private final List<Token> tokens;
  private final @Nullable VirtualBlock block;

  /**
   * @param block the enclosing virtual or failover block (null in the global section)
   */
  Value(Context ctx, Spec spec, List<Token> tokens, @Nullable VirtualBlock block) {
    this.ctx = ctx;
    this.spec = spec;
    this.tokens = tokens;
    this.block = block;
  }

  // ---------------------------------------------------------------- the directive

  String key() {
    return spec.name();
  }

  /** What a value looks like, as the key table says (e.g. {@code direct, nat or tunnel}). */
  String expected() {
    return spec.expected();
  }

  /** The first value. */
  Token token() {
    return tokens.get(0);
  }

  Token token(int i) {
    return tokens.get(i);
  }

  /** Every value (a list key may have none). */
  List<Token> tokens() {
    return tokens;
  }

  /** The text of the first value. */
  String text() {
    return token().text();
  }

  /** The text of the first value as a message echoes it (escaped, cut). */
  String shown() {
    return Report.show(text());
  }

  /**
   * The server blocks read in the enclosing virtual block since the last {@code port} directive
   * asked (each server is returned once, so checking them stays linear in the servers).
   */
  List<ServerBlock> serversAboveSinceLastPort() {
    if (block == null) {
      return List.of();
    }
    int from = Math.min(block.serversPortChecked, block.servers.size());
    block.serversPortChecked = block.servers.size();
    return block.servers.subList(from, block.servers.size());
  }

  void error(String msg) {
    ctx.report.error(token(), msg);
  }

  void error(Token at, String msg) {
    ctx.report.error(at, msg);
  }

  void warn(String msg) {
    ctx.report.warn(token(), msg);
  }

  // ---------------------------------------------------------------- typed readers

  /** A C {@code strtol} number (decimal, {@code 0x} hex, leading-0 octal with a warning). */
  Optional<Long> number() {
    CNumbers.Parsed p = CNumbers.strtol(text());
    if (p.error() != null) {
      error(
          "bad number for '"
              + key()
              + "': "
              + p.error()
              + " (expected an integer: decimal, 0x hex, or leading-0 octal)");
      return Optional.empty();
    }
    if (p.octal()) {
      warn(
          "'"
              + key()
              + " = "
              + shown()
              + "' is octal (leading 0), so it means "
              + p.value()
              + ", as in Piranha; write "
              + p.value()
              + " if that is what you mean");
    }
    return Optional.of(p.value());
  }

  /** A number in {@code min..max}. */
  Optional<Integer> intIn(long min, long max) {
    Optional<Long> read = number();
    if (read.isEmpty()) {
      return Optional.empty();
    }
    long n = read.get();
    if (n < min || n > max) {
      if (max == Integer.MAX_VALUE && n > max) {
        error("'" + key() + "' is too large: " + n + " (at most " + max + ")");
      } else if (max == Integer.MAX_VALUE) {
        error("'" + key() + "' must be at least " + min + ", found " + n);
      } else {
        error("'" + key() + "' must be between " + min + " and " + max + ", found " + n);
      }
      return Optional.empty();
    }
    return Optional.of((int) n);
  }

  /** 0 or 1. */
  Optional<Boolean> bool() {
    if (CNumbers.strtol(text()).error() != null) {
      error("'" + key() + "' must be 0 or 1, found '" + shown() + "'");
      return Optional.empty();
    }
    Optional<Long> n = number();
    if (n.isEmpty()) {
      return Optional.empty();
    }
    if (n.get() != 0 && n.get() != 1) {
      error("'" + key() + "' must be 0 or 1, found " + shown());
      return Optional.empty();
    }
    return Optional.of(n.get() == 1);
  }

  /** Whole seconds, at least {@code min}. */
  Optional<Duration> seconds(long min) {
    return intIn(min, Integer.MAX_VALUE).map(Duration::ofSeconds);
  }

  /**
   * Whole seconds, at least {@code min} (Piranha's form: an integer, as {@link #seconds}), or, as
   * an lvs-pulse extension, a decimal number of seconds with up to 3 decimals such as {@code 0.2},
   * at least {@code minFraction}. A decimal gets a warning: pulse reads whole seconds, so the file
   * is no longer pulse-compatible.
   */
  Optional<Duration> secondsOrFraction(long min, Duration minFraction) {
    String s = text();
    if (!s.matches("[0-9]{1,9}\\.[0-9]{1,3}")) {
      return seconds(min);
    }
    int dot = s.indexOf('.');
    String frac = (s.substring(dot + 1) + "00").substring(0, 3);
    Duration d =
        Duration.ofSeconds(Long.parseLong(s.substring(0, dot))).plusMillis(Long.parseLong(frac));
    if (d.compareTo(minFraction) < 0) {
      error(
          "'"
              + key()
              + "' must be at least "
              + Keys.fractionalSeconds(minFraction)
              + " s, found "
              + s);
      return Optional.empty();
    }
    if (d.toMillis() % 1000 != 0) {
      warn(
          "'"
              + key()
              + " = "
              + s
              + "': fractional seconds are an lvs-pulse extension; Piranha's pulse reads whole"
              + " seconds, so this file is no longer pulse-compatible");
    }
    return Optional.of(d);
  }

  /**
   * An IPv4 address ({@code inet_aton} forms, a non-canonical one with a warning), an IPv6 literal
   * (an lvs-pulse extension, see {@link #ipv6Literal}) or, when {@code allowNames}, a host name
   * resolved once per parse to its first IPv4 address.
   */
  Optional<InetAddress> address(boolean allowNames) {
    String s = text();
    if (s.indexOf(':') >= 0 || s.startsWith("[")) {
      return ipv6Literal(s);
    }
    InetAddress a = CNumbers.inetAton(s);
    if (a != null) {
      if (!a.getHostAddress().equals(s)) {
        warn(
            "'"
                + key()
                + " = "
                + Report.show(s)
                + "' is read as "
                + a.getHostAddress()
                + " (inet_aton: short forms, hex and leading-0 octal parts); write "
                + a.getHostAddress());
      }
      return Optional.of(a);
    }
    if (s.matches("[0-9.]+") || !allowNames) {
      error(
          "'"
              + Report.show(s)
              + "' is not a valid IPv4 address for '"
              + key()
              + "'"
              + (allowNames
                  ? ""
                  : " (an address such as 10.0.0.1 or 2001:db8::1 is required here)"));
      return Optional.empty();
    }
    InetAddress cached = ctx.resolved.get(s);
    if (cached != null) {
      return Optional.of(cached);
    }
    try {
      InetAddress r = ctx.resolver.resolve(s);
      if (!(r instanceof Inet4Address)) {
        error("host name '" + Report.show(s) + "' for '" + key() + "' has no IPv4 address");
        return Optional.empty();
      }
      InetAddress plain = InetAddress.getByAddress(r.getAddress());
      ctx.resolved.put(s, plain);
      return Optional.of(plain);
    } catch (UnknownHostException | RuntimeException e) {
      error("cannot resolve host name '" + Report.show(s) + "' for '" + key() + "'");
      return Optional.empty();
    }
  }

  /**
   * An IPv6 literal (RFC 4291 text forms; an lvs-pulse extension): without brackets, without a zone
   * ({@code %eth0}), neither IPv4-mapped ({@code ::ffff:192.0.2.1}: write the IPv4 address) nor
   * link-local (it needs a zone) nor multicast. The first IPv6 address of a file gets a warning
   * that Piranha cannot read the file any more.
   */
  private Optional<InetAddress> ipv6Literal(String s) {
    if (s.startsWith("[") || s.endsWith("]")) {
      String bare = s.replace("[", "").replace("]", "");
      error(
          "'"
              + s
              + "' for '"
              + key()
              + "': write an IPv6 address without brackets, as in '"
              + key()
              + " = "
              + bare
              + "'");
      return Optional.empty();
    }
    if (s.indexOf('%') >= 0) {
      error(
          "'"
              + s
              + "' for '"
              + key()
              + "': a zone (%"
              + s.substring(s.indexOf('%') + 1)
              + ") is not allowed; use a global or unique-local (fd00::/8) address");
      return Optional.empty();
    }
    InetAddress a = null;
    if (s.matches("[0-9A-Fa-f:.]{2,45}")) {
      try {
        a = InetAddress.getByName(s); // a literal: no name lookup for these characters
      } catch (UnknownHostException e) {
        a = null;
      }
    }
    if (a == null) {
      error("'" + s + "' is not a valid IPv6 address for '" + key() + "'");
      return Optional.empty();
    }
    if (a instanceof Inet4Address) {
      error(
          "'"
              + s
              + "' for '"
              + key()
              + "' is an IPv4-mapped IPv6 address; write the IPv4 address "
              + a.getHostAddress());
      return Optional.empty();
    }
    if (a.isLinkLocalAddress()) {
      error(
          "'"
              + s
              + "' for '"
              + key()
              + "' is link-local (fe80::/10), which needs a zone; use a global or unique-local"
              + " (fd00::/8) address");
      return Optional.empty();
    }
    if (a.isMulticastAddress()) {
      error("'" + s + "' for '" + key() + "' is a multicast address");
      return Optional.empty();
    }
    if (!ctx.ipv6Warned) {
      ctx.ipv6Warned = true;
      warn(
          "'"
              + key()
              + " = "
              + s
              + "': IPv6 addresses are an lvs-pulse extension; Piranha reads IPv4 only, so this"
              + " file no longer works with Piranha");
    }
    return Optional.of(a);
  }

  /** An address or host name that is not 0.0.0.0 (or ::). */
  Optional<InetAddress> nonZeroHost() {
    Optional<InetAddress> a = address(true);
    if (a.isPresent() && Addresses.isUnspecified(a.get())) {
      error("'" + key() + "' must not be " + Addresses.canonical(a.get()));
      return Optional.empty();
    }
    return a;
  }

  /**
   * A netmask: a dotted one ({@code inet_aton} form) whose one bits are contiguous, as Piranha; or,
   * as an lvs-pulse extension for IPv6 addresses, a prefix length 1..128 (returned as the IPv6
   * netmask of that length, e.g. 64 as {@code ffff:ffff:ffff:ffff::}) or an IPv6 netmask. Which
   * family the address it applies to has is checked later ({@link ConfigChecks}).
   */
  Optional<InetAddress> netmask() {
    String s = text();
    if (s.matches("[1-9][0-9]{0,2}")) {
      int n = Integer.parseInt(s);
      if (n <= 128) {
        return Optional.of(Addresses.netmask(n, true));
      }
      error(
          "bad netmask '"
              + s
              + "' for '"
              + key()
              + "': a prefix length (IPv6) is between 1 and 128, found "
              + n);
      return Optional.empty();
    }
    if (s.indexOf(':') >= 0) {
      InetAddress m = null;
      if (s.matches("[0-9A-Fa-f:]{2,39}")) {
        try {
          m = InetAddress.getByName(s);
        } catch (UnknownHostException e) {
          m = null;
        }
      }
      if (!(m instanceof Inet6Address) || Addresses.prefixLength(m) < 0) {
        error(
            "bad netmask '"
                + s
                + "' for '"
                + key()
                + "': expected a prefix length such as 64 (or an IPv6 netmask such as"
                + " ffff:ffff:ffff:ffff::)");
        return Optional.empty();
      }
      return Optional.of(m);
    }
    return dottedNetmask();
  }

  /** A dotted netmask whose one bits are contiguous. */
  private Optional<InetAddress> dottedNetmask() {
    InetAddress a = CNumbers.inetAton(text());
    if (a == null) {
      error(
          "bad netmask '"
              + shown()
              + "' for '"
              + key()
              + "': expected a dotted quad such as 255.255.255.0");
      return Optional.empty();
    }
    if (!CNumbers.contiguous(a)) {
      error(
          "bad netmask '"
              + shown()
              + "' for '"
              + key()
              + "': the one bits must be contiguous, such as 255.255.255.0");
      return Optional.empty();
    }
    return Optional.of(a);
  }

  /**
   * A port 0..65535, or a service name of {@code /etc/services} (its tcp port first). A name used
   * in a virtual block is remembered on the block, so {@link ConfigChecks} can warn when it is not
   * defined for the block's protocol.
   */
  Optional<Integer> port() {
    String s = text();
    if (!s.isEmpty()
        && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-' || s.charAt(0) == '+')) {
      return intIn(0, 65535);
    }
    Map<String, Integer> protos = ctx.services.protocols(s);
    if (protos.isEmpty()) {
      error(
          "bad port for '"
              + key()
              + "': '"
              + Report.show(s)
              + "' is neither a number nor a service name in /etc/services");
      return Optional.empty();
    }
    if (block != null) {
      block.portName = token();
      block.portNameProtocols = protos;
    }
    Integer p = protos.get("tcp");
    return Optional.of(p != null ? p : protos.values().iterator().next());
  }

  /** A file name. */
  Optional<Path> path() {
    if (text().isEmpty()) {
      error("'" + key() + "' must not be empty");
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(text()));
    } catch (InvalidPathException e) {
      error("'" + shown() + "' is not a valid path for '" + key() + "'");
      return Optional.empty();
    }
  }

  /** A string; the empty string means "not set". */
  Optional<String> string() {
    return text().isEmpty() ? Optional.empty() : Optional.of(text());
  }

  /** Integer seconds, or a number with {@code ms} or {@code s}; greater than 0. */
  Optional<Duration> duration() {
    String s = text();
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
      error(
          "bad duration for '"
              + key()
              + "': '"
              + Report.show(s)
              + "' (expected seconds such as 3, or milliseconds such as 500ms)");
      return Optional.empty();
    }
    if (d.isZero()) {
      error("'" + key() + "' must be greater than 0");
      return Optional.empty();
    }
    return Optional.of(d);
  }

  /** One of {@code values}, spelled exactly; otherwise "'KEY' must be EXPECTED, found 'X'". */
  <E extends Keyword> Optional<E> keyword(E[] values) {
    Optional<E> e = Keyword.lookup(values, text());
    if (e.isEmpty()) {
      error("'" + key() + "' must be " + expected() + ", found '" + shown() + "'");
    }
    return e;
  }
}
