package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Parses the output of {@code ipvsadm -S -n} (the {@code -R} language) into an {@link IpvsTable},
 * keeping the order of the lines (ipvsadm sorts real servers by address; {@link IpvsadmListOrder}
 * gives the kernel's order).
 *
 * <p>Strict: an unknown option, a missing value, a real server of an unknown service or any line
 * that is not an {@code -A}/{@code -a} line is an {@link IpvsParseException} naming the line, never
 * a half table. Options that lvs-pulse does not model but the kernel may report for services it
 * does not manage ({@code --pe}, {@code -o}, {@code -x}, {@code -y}, {@code --tun-*}) are accepted
 * and not kept. A real server is looked up by the service key on its own line, so the order of
 * lines does not matter beyond "service before its real servers".
 */
public final class IpvsadmSaveParser {
  private IpvsadmSaveParser() {}

  /** Parses the whole text. */
  public static IpvsTable parse(String text) throws IpvsParseException {
    IpvsTable.Builder b = IpvsTable.builder();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      try {
        IpvsCommand c = parseLine(line);
        if (!(c instanceof IpvsCommand.AddService) && !(c instanceof IpvsCommand.AddDestination)) {
          throw new IllegalArgumentException("expected an -A or -a line");
        }
        String err = b.applyInListOrder(c);
        if (err != null) {
          throw new IllegalArgumentException(err);
        }
      } catch (IllegalArgumentException e) {
        throw new IpvsParseException(
            i + 1, line, Objects.requireNonNullElse(e.getMessage(), e.toString()));
      }
    }
    return b.build();
  }

  /**
   * Parses one line of the {@code -R} language ({@code -A}, {@code -E}, {@code -D}, {@code -a},
   * {@code -e}, {@code -d}) into a command.
   *
   * @throws IllegalArgumentException with the reason when the line is not understood
   */
  public static IpvsCommand parseLine(String line) {
    List<String> t = List.of(line.trim().split("\\s+"));
    Cursor c = new Cursor(t);
    String op = c.next("command");
    boolean service;
    switch (op) {
      case "-A", "--add-service", "-E", "--edit-service", "-D", "--delete-service" ->
          service = true;
      case "-a", "--add-server", "-e", "--edit-server", "-d", "--delete-server" -> service = false;
      default -> throw new IllegalArgumentException("unknown command '" + op + "'");
    }
    String keyFlag = null;
    String keyValue = null;
    boolean ipv6 = false;
    String scheduler = null;
    Duration persistence = null;
    String mask = null;
    String flags = null;
    InetSocketAddress real = null;
    ForwardingMethod method = null;
    Integer weight = null;
    while (c.hasNext()) {
      String o = c.next("option");
      switch (o) {
        case "-t",
            "--tcp-service",
            "-u",
            "--udp-service",
            "--sctp-service",
            "-f",
            "--fwmark-service" -> {
          if (keyFlag != null) {
            throw new IllegalArgumentException("two service keys");
          }
          keyFlag = o;
          keyValue = c.next(o);
        }
        case "-6", "--ipv6" -> ipv6 = true;
        case "-s", "--scheduler" -> scheduler = serviceOpt(service, o, c);
        case "-p", "--persistent" -> {
          requireService(service, o);
          String v = c.peekValue();
          persistence =
              Duration.ofSeconds(v == null ? 360 : number(c.next(o), o, 1, Integer.MAX_VALUE));
        }
        case "-M", "--netmask" -> mask = serviceOpt(service, o, c);
        case "-b", "--sched-flags" -> flags = serviceOpt(service, o, c);
        case "--pe" -> serviceOpt(service, o, c);
        case "-o", "--ops" -> requireService(service, o);
        case "-r", "--real-server" -> {
          requireServer(service, o);
          real = IpAddresses.parseSocketAddress(c.next(o));
        }
        case "-g", "--gatewaying" -> method = method(service, method, ForwardingMethod.ROUTE, o);
        case "-i", "--ipip" -> method = method(service, method, ForwardingMethod.TUNNEL, o);
        case "-m", "--masquerading" -> method = method(service, method, ForwardingMethod.MASQ, o);
        case "-w", "--weight" -> {
          requireServer(service, o);
          weight = (int) number(c.next(o), o, 0, Integer.MAX_VALUE);
        }
        case "-x", "--u-threshold", "-y", "--l-threshold", "--tun-type", "--tun-port" -> {
          requireServer(service, o);
          c.next(o);
        }
        case "--tun-nocsum", "--tun-csum", "--tun-remcsum" -> requireServer(service, o);
        default -> throw new IllegalArgumentException("unknown option '" + o + "'");
      }
    }
    if (keyFlag == null || keyValue == null) {
      throw new IllegalArgumentException("no service (-t, -u, --sctp-service or -f)");
    }
    ServiceKey key = key(keyFlag, keyValue, ipv6);
    switch (op) {
      case "-A", "--add-service", "-E", "--edit-service" -> {
        if (scheduler == null) {
          throw new IllegalArgumentException("no scheduler (-s)");
        }
        IpvsService s =
            new IpvsService(
                key,
                scheduler,
                Optional.ofNullable(persistence),
                Optional.ofNullable(mask),
                Optional.ofNullable(flags));
        return op.startsWith("-A") || op.equals("--add-service")
            ? new IpvsCommand.AddService(s)
            : new IpvsCommand.EditService(s);
      }
      case "-D", "--delete-service" -> {
        return new IpvsCommand.DeleteService(key);
      }
      default -> {
        if (real == null) {
          throw new IllegalArgumentException("no real server (-r)");
        }
        if (op.equals("-d") || op.equals("--delete-server")) {
          return new IpvsCommand.DeleteDestination(key, real);
        }
        if (method == null || weight == null) {
          throw new IllegalArgumentException("real server needs a forwarding method and -w");
        }
        IpvsDestination d = new IpvsDestination(real, method, weight);
        return op.equals("-a") || op.equals("--add-server")
            ? new IpvsCommand.AddDestination(key, d)
            : new IpvsCommand.EditDestination(key, d);
      }
    }
  }

  private static ServiceKey key(String flag, String value, boolean ipv6) {
    switch (flag) {
      case "-f", "--fwmark-service" -> {
        return new ServiceKey.Fwmark(number(value, flag, 1, 0xFFFF_FFFFL), ipv6);
      }
      default -> {
        InetSocketAddress a = IpAddresses.parseSocketAddress(value);
        ServiceKey.Protocol p =
            switch (flag) {
              case "-t", "--tcp-service" -> ServiceKey.Protocol.TCP;
              case "-u", "--udp-service" -> ServiceKey.Protocol.UDP;
              default -> ServiceKey.Protocol.SCTP;
            };
        ServiceKey.Address k = new ServiceKey.Address(p, a);
        if (ipv6 && !k.ipv6()) {
          throw new IllegalArgumentException("-6 with an IPv4 service address");
        }
        return k;
      }
    }
  }

  private static ForwardingMethod method(
      boolean service, @Nullable ForwardingMethod old, ForwardingMethod m, String o) {
    requireServer(service, o);
    if (old != null && old != m) {
      throw new IllegalArgumentException("two forwarding methods");
    }
    return m;
  }

  private static String serviceOpt(boolean service, String o, Cursor c) {
    requireService(service, o);
    return c.next(o);
  }

  private static void requireService(boolean service, String o) {
    if (!service) {
      throw new IllegalArgumentException("option '" + o + "' is not allowed on a real-server line");
    }
  }

  private static void requireServer(boolean service, String o) {
    if (service) {
      throw new IllegalArgumentException("option '" + o + "' is not allowed on a service line");
    }
  }

  private static long number(String s, String opt, long min, long max) {
    if (!s.matches("\\d{1,10}")) {
      throw new IllegalArgumentException("option " + opt + " needs a number, got '" + s + "'");
    }
    long v = Long.parseLong(s);
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          "option " + opt + " out of range " + min + ".." + max + ": " + v);
    }
    return v;
  }

  private static final class Cursor {
    private final List<String> tokens;
    private int i;

    Cursor(List<String> tokens) {
      this.tokens = new ArrayList<>(tokens);
    }

    boolean hasNext() {
      return i < tokens.size();
    }

    String next(String what) {
      if (i >= tokens.size()) {
        throw new IllegalArgumentException("missing value for " + what);
      }
      return tokens.get(i++);
    }

    @Nullable String peekValue() {
      return i < tokens.size() && !tokens.get(i).startsWith("-") ? tokens.get(i) : null;
    }
  }
}
