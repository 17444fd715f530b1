package io.lvspulse.probe.tftp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises a Piranha {@code send_program} that runs the Nagios {@code check_tftp} plugin, so the
 * monitor can run the native probe instead of forking bash and the tftp-hpa client.
 *
 * <p>Recognised (the program may be any path whose file name is {@code check_tftp}; tokens are
 * split on spaces as nanny does; {@code %h} is the real server's address, {@code %p} its port):
 *
 * <ul>
 *   <li>{@code check_tftp --connect %h}
 *   <li>{@code check_tftp --get %h FILE SIZE}
 *   <li>either form with {@code -p|--port PORT|%p} and/or {@code -t|--timeout SECONDS} (as taken by
 *       {@code lvs-pulse check-tftp}); the host may also be a literal IP address
 * </ul>
 *
 * Without {@code -p} the port is 69, as with check_tftp (it ignores the real server's port). The
 * probe's timeout is nanny's {@code timeout}, or the program's {@code -t} if that is shorter. The
 * native probe's message ({@code OK - answer from server} on success) is what {@code expect} is
 * matched against. Anything else is not recognised and is run as a program.
 */
public final class CheckTftpCommandLine {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern SIZE = Pattern.compile("\\d{1,18}");

  private CheckTftpCommandLine() {}

  /**
   * Returns the native check equivalent to {@code sendProgram}, or empty when it is not a
   * recognised check_tftp invocation.
   *
   * @param realServer the real server's address (what {@code %h} becomes)
   * @param realPort the real server's port (what {@code %p} becomes; 0 means none, then 69)
   * @param timeout nanny's per-probe timeout
   */
  public static Optional<TftpCheck> parse(
      String sendProgram, InetAddress realServer, int realPort, Duration timeout) {
    List<String> toks = new ArrayList<>();
    for (String t : sendProgram.split(" ")) {
      if (!t.isEmpty()) {
        toks.add(t);
      }
    }
    if (toks.isEmpty() || !isCheckTftp(toks.get(0))) {
      return Optional.empty();
    }
    String mode = null;
    List<String> modeArgs = new ArrayList<>();
    int port = 69;
    Duration probeTimeout = timeout;
    for (int i = 1; i < toks.size(); i++) {
      String t = toks.get(i);
      switch (t) {
        case "--connect", "--get" -> {
          if (mode != null) {
            return Optional.empty();
          }
          mode = t;
          int n = t.equals("--connect") ? 1 : 3;
          if (i + n >= toks.size()) {
            return Optional.empty();
          }
          for (int k = 1; k <= n; k++) {
            modeArgs.add(toks.get(i + k));
          }
          i += n;
        }
        case "-p", "--port" -> {
          if (i + 1 >= toks.size()) {
            return Optional.empty();
          }
          String v = toks.get(++i);
          if (v.equals("%p")) {
            port = realPort > 0 ? realPort : 69;
          } else if (v.matches("\\d{1,5}")
              && Integer.parseInt(v) >= 1
              && Integer.parseInt(v) <= 65535) {
            port = Integer.parseInt(v);
          } else {
            return Optional.empty();
          }
        }
        case "-t", "--timeout" -> {
          if (i + 1 >= toks.size()) {
            return Optional.empty();
          }
          String v = toks.get(++i);
          if (!v.matches("\\d{1,6}")) {
            return Optional.empty();
          }
          Duration d = Duration.ofSeconds(Long.parseLong(v));
          if (!d.isZero() && d.compareTo(probeTimeout) < 0) {
            probeTimeout = d;
          }
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    if (mode == null) {
      return Optional.empty();
    }
    Optional<InetAddress> host = host(modeArgs.get(0), realServer);
    if (host.isEmpty()) {
      return Optional.empty();
    }
    InetSocketAddress server = new InetSocketAddress(host.get(), port);
    if (mode.equals("--connect")) {
      return Optional.of(TftpCheck.connect(server, probeTimeout));
    }
    String file = modeArgs.get(1);
    String size = modeArgs.get(2);
    if (!SIZE.matcher(size).matches() || file.chars().anyMatch(c -> c > 0xFF)) {
      return Optional.empty();
    }
    return Optional.of(
        TftpCheck.get(server, file, Long.parseLong(size), Optional.empty(), probeTimeout));
  }

  /** True when the program's file name is {@code check_tftp}. */
  public static boolean isCheckTftp(String program) {
    try {
      var name = Paths.get(program).getFileName();
      return name != null && name.toString().equals("check_tftp");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Optional<InetAddress> host(String token, InetAddress realServer) {
    if (token.equals("%h")) {
      return Optional.of(realServer);
    }
    if (IPV4.matcher(token).matches() || token.indexOf(':') >= 0) {
      try {
        return Optional.of(InetAddress.getByName(token)); // a literal: no DNS lookup
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
    return Optional.empty(); // a host name would need DNS: leave it to the program
  }
}
