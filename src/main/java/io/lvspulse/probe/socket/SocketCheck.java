package io.lvspulse.probe.socket;

import io.lvspulse.config.Escapes;
import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.Protocol;
import io.lvspulse.config.RealServer;
import io.lvspulse.net.Addresses;
import io.lvspulse.probe.ExpectMatcher;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one socket probe does (nanny's {@code pinger}): connect to {@code target} over {@code
 * protocol}, write {@code send} if it is not empty, and, if {@code expect} is set (or the protocol
 * is UDP), read a reply and judge it.
 *
 * @param target the real server's address and port
 * @param protocol TCP or UDP
 * @param send the bytes to send, already escape-translated (empty: send nothing)
 * @param expect how to judge the reply; empty: TCP does not read at all, UDP needs one datagram of
 *     any content (even an empty one)
 * @param timeout the hard deadline of the whole probe (connect + send + reply), counted from start
 * @param httpDefault true when send/expect are nanny's defaults for port 80 (only for descriptions)
 */
public record SocketCheck(
    InetSocketAddress target,
    Protocol protocol,
    String send,
    Optional<ExpectMatcher> expect,
    Duration timeout,
    boolean httpDefault) {

  /** nanny's default {@code send} for a virtual service on port 80 with nothing configured. */
  public static final String HTTP_DEFAULT_SEND = "GET / HTTP/1.0\r\n\r\n";

  /** nanny's default {@code expect} for a virtual service on port 80 with nothing configured. */
  public static final String HTTP_DEFAULT_EXPECT = "HTTP";

  public SocketCheck {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(send, "send");
    Objects.requireNonNull(expect, "expect");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /** A TCP check: connect, send, and judge the reply if {@code expect} is present. */
  public static SocketCheck tcp(
      InetSocketAddress target, String send, Optional<ExpectMatcher> expect, Duration timeout) {
    return new SocketCheck(target, Protocol.TCP, send, expect, timeout, false);
  }

  /** A UDP check: send, then wait for one datagram and judge it if {@code expect} is present. */
  public static SocketCheck udp(
      InetSocketAddress target, String send, Optional<ExpectMatcher> expect, Duration timeout) {
    return new SocketCheck(target, Protocol.UDP, send, expect, timeout, false);
  }

  /**
   * The check nanny runs for {@code server} under {@code spec} when there is no {@code
   * send_program}: {@code send} and {@code expect} escape-translated ({@code convert_str}); when
   * the virtual {@code port} is 80 and none of {@code send}, {@code expect}, {@code send_program}
   * is set, nanny's HTTP default ({@value #HTTP_DEFAULT_SEND} / {@value #HTTP_DEFAULT_EXPECT}). As
   * in nanny, the test is on the <em>virtual</em> port (also for fwmark services, whose {@code
   * port} defaults to 80), and the probe goes to the real server's port.
   *
   * @throws IllegalArgumentException when {@code use_regex = 1} and {@code expect} is not a valid
   *     regular expression
   */
  public static SocketCheck forSpec(ProbeSpec spec, RealServer server) {
    boolean httpDefault =
        spec.port() == 80
            && spec.send().isEmpty()
            && spec.expect().isEmpty()
            && spec.sendProgram().isEmpty();
    String send;
    Optional<ExpectMatcher> expect;
    if (httpDefault) {
      send = HTTP_DEFAULT_SEND;
      expect = Optional.of(ExpectMatcher.prefix(HTTP_DEFAULT_EXPECT));
    } else {
      send = spec.send().map(Escapes::translate).orElse("");
      expect =
          spec.expect()
              .map(Escapes::translate)
              .filter(e -> !e.isEmpty())
              .map(e -> ExpectMatcher.forSocket(e, spec.useRegex()));
    }
    return new SocketCheck(
        server.socketAddress(), spec.protocol(), send, expect, spec.timeout(), httpDefault);
  }

  /** The bytes written after connecting (UTF-8, as lvs.cf is read). */
  public byte[] sendBytes() {
    return send.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether the probe reads a reply: when {@code expect} is set, and always for UDP (nanny). */
  public boolean readsReply() {
    return expect.isPresent() || protocol == Protocol.UDP;
  }

  /**
   * A short description for logs and status: {@code tcp 10.2.0.11:80 send/expect}, {@code tcp
   * 10.2.0.11:22 connect}, {@code udp 10.0.0.5:53 send/expect}.
   */
  public String describe() {
    String what;
    if (!send.isEmpty() && expect.isPresent()) {
      what = "send/expect";
    } else if (!send.isEmpty()) {
      what = protocol == Protocol.UDP ? "send/any reply" : "send";
    } else if (expect.isPresent()) {
      what = "expect";
    } else {
      what = protocol == Protocol.UDP ? "any reply" : "connect";
    }
    return protocol.keyword()
        + " "
        + hostPort(target)
        + " "
        + what
        + (httpDefault ? " (nanny HTTP default)" : "");
  }

  static String hostPort(InetSocketAddress a) {
    return Addresses.canonical(a);
  }
}
