package io.lvspulse.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code --listen ADDRESS:PORT} option of the commands that run the daemon (a picocli mixin).
 */
final class ListenOption {
  @Option(
      names = "--listen",
      paramLabel = "ADDRESS:PORT",
      defaultValue = "127.0.0.1:9539",
      description = "address of /metrics, /status and /healthz (default: ${DEFAULT-VALUE})")
  String listen;

  /**
   * The address, or empty after telling {@code err} what is wrong with it as {@code lvs-pulse
   * COMMAND: --listen PROBLEM}.
   */
  Optional<InetSocketAddress> address(PrintWriter err, String command) {
    try {
      return Optional.of(parse(listen));
    } catch (IllegalArgumentException e) {
      err.println("lvs-pulse " + command + ": --listen " + e.getMessage());
      return Optional.empty();
    }
  }

  /** {@code HOST:PORT} or {@code [IPV6]:PORT}; the message completes "--listen ...". */
  static InetSocketAddress parse(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException(
          "must be ADDRESS:PORT, e.g. 127.0.0.1:9539, not '" + s + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("has a bad port in '" + s + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range in '" + s + "'");
    }
    return new InetSocketAddress(host, port);
  }
}
