package io.lvspulse.probe.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.testing.Peers;
import io.lvspulse.testing.Waits;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native probe against real tftpd-hpa, atftpd and dnsmasq, each started here on its own
 * loopback address/port with its own temporary root, and stopped afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealTftpServersIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final String HELLO = ("hello from tftp lab\n".repeat(40)).substring(0, 600);

  /** A running server. */
  record Server(String name, InetSocketAddress address, Process process) {
    @Override
    public String toString() {
      return name;
    }
  }

  private Path root;
  private final List<Server> servers = new ArrayList<>();
  private TftpProbeEngine engine;
  private byte[] big;

  @BeforeAll
  void startServers() throws Exception {
    engine = new TftpProbeEngine();
    root = Files.createTempDirectory("lvs-pulse-tftp-it");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(root.resolve("hello.txt"), HELLO, StandardCharsets.US_ASCII);
    big = new byte[70_000]; // several blocks at any blksize, not a multiple of 512 or 1428
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    Files.write(root.resolve("big.bin"), big);
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
  }

  @AfterAll
  void stopServers() throws Exception {
    for (Server s : servers) {
      stop(s.process());
    }
    if (engine != null) {
      engine.close();
    }
    if (root != null) {
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(root);
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static int freeUdpPort(String host) throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
      return s.getLocalPort();
    }
  }

  private Server hpa() throws Exception {
    return hpa("tftpd-hpa");
  }

  private Server hpa(String name) throws Exception {
    return hpa(name, "127.0.0.1");
  }

  /** tftpd-hpa on {@code host}: {@code -a [::1]:PORT} for IPv6. */
  private Server hpa(String name, String host) throws Exception {
    Path bin = Peers.inTftpd();
    int port = freeUdpPort(host);
    return start(
        name,
        new InetSocketAddress(host, port),
        List.of(
            bin.toString(),
            "-L",
            "-a",
            (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port,
            "-s",
            "-u",
            "nobody",
            root.toString()));
  }

  private Server atftpd() throws Exception {
    Path bin = Peers.atftpd();
    int port = freeUdpPort("127.0.0.1");
    return start(
        "atftpd",
        new InetSocketAddress("127.0.0.1", port),
        List.of(
            bin.toString(),
            "--daemon",
            "--no-fork",
            "--port",
            Integer.toString(port),
            "--bind-address",
            "127.0.0.1",
            "--user",
            "nobody",
            "--group",
            "nogroup",
            "--logfile",
            "/dev/null",
            root.toString()));
  }

  private Server dnsmasq() throws Exception {
    return dnsmasq(
        "dnsmasq",
        "127.0.0."
            + (100 + (int) (ProcessHandle.current().pid() % 100))); // dnsmasq only serves port 69
  }

  private Server dnsmasq(String name, String addr) throws Exception {
    Path bin = Peers.dnsmasq();
    return start(
        name,
        new InetSocketAddress(addr, 69),
        List.of(
            bin.toString(),
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--port=0",
            "--listen-address=" + addr,
            "--bind-interfaces",
            "--enable-tftp",
            "--tftp-root=" + root,
            "--user=nobody",
            "--group=nogroup",
            "--pid-file=",
            "--log-facility=/dev/null"));
  }

  private Server start(String name, InetSocketAddress addr, List<String> cmd) throws Exception {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Server s = new Server(name, addr, p);
    servers.add(s);
    // ready when it answers
    Waits.until(
        name + " answers",
        Duration.ofSeconds(6),
        Duration.ofMillis(20),
        () -> {
          if (probe(TftpCheck.connect(addr, Duration.ofMillis(100))).success()) {
            return true;
          }
          assertThat(p.isAlive())
              .as(name + " exited with " + (p.isAlive() ? "" : p.exitValue()))
              .isTrue();
          return false;
        },
        () -> name + " did not answer within 6 s");
    return s;
  }

  private ProbeResult probe(TftpCheck c) throws Exception {
    return engine.probe(c).get(c.timeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
  }

  private Server serverNamed(String name) throws Exception {
    for (Server s : servers) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return switch (name) {
      case "tftpd-hpa" -> hpa();
      case "atftpd" -> atftpd();
      // IPv6: tftpd-hpa and dnsmasq serve [::1]; atftpd 0.8.0 binds 0.0.0.0 even when told
      // --bind-address ::1 (it has no IPv6 socket), so it is not in the IPv6 list.
      case "tftpd-hpa [::1]" -> hpa(name, "::1");
      case "dnsmasq [::1]" -> dnsmasq(name, "::1");
      default -> dnsmasq();
    };
  }

  static Stream<String> kinds() {
    return Stream.of("tftpd-hpa", "atftpd", "dnsmasq", "tftpd-hpa [::1]", "dnsmasq [::1]");
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void the_connect_check_calls_each_server_alive_whatever_its_error_text(String kind)
      throws Exception {
    Server s = serverNamed(kind);
    ProbeResult r = probe(TftpCheck.connect(s.address(), TIMEOUT));
    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(r.message()).isEqualTo("OK - answer from server");
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void get_succeeds_with_the_right_size_and_digest_at_every_block_size(String kind)
      throws Exception {
    Server s = serverNamed(kind);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
    for (int blksize : new int[] {0, 8 * 64, 1428, 8192}) {
      TftpCheck c =
          TftpCheck.get(s.address(), "big.bin", big.length, Optional.of(sha), TIMEOUT)
              .withBlockSize(blksize);
      ProbeResult r = probe(c);
      assertThat(r.message())
          .as("%s blksize %d", kind, blksize)
          .startsWith("OK - Received 70000 bytes in ");
    }
    ProbeResult hello =
        probe(TftpCheck.get(s.address(), "hello.txt", 600, Optional.empty(), TIMEOUT));
    assertThat(hello.success()).as(hello.message()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void get_fails_with_the_wrong_size_and_with_a_missing_file(String kind) throws Exception {
    Server s = serverNamed(kind);
    ProbeResult r = probe(TftpCheck.get(s.address(), "hello.txt", 601, Optional.empty(), TIMEOUT));
    assertThat(r.message()).isEqualTo("File size mismatch: expected 601 bytes, got 600 bytes");
    assertThat(r.cause()).contains(FailureCause.TRANSFER_ERROR);
    ProbeResult missing =
        probe(TftpCheck.get(s.address(), "nope.bin", 1, Optional.empty(), TIMEOUT));
    assertThat(missing.message()).isEqualTo("Server answered: file nope.bin not found");
  }

  @Test
  void a_stopped_server_fails_within_the_timeout_not_after_twenty_five_seconds() throws Exception {
    Server s = hpa("tftpd-hpa (to be stopped)"); // a separate instance
    assertThat(probe(TftpCheck.connect(s.address(), TIMEOUT)).success()).isTrue();
    stop(s.process());
    long t0 = System.nanoTime();
    ProbeResult r = probe(TftpCheck.connect(s.address(), TIMEOUT));
    double secs = (System.nanoTime() - t0) / 1e9;
    assertThat(r.success()).isFalse();
    assertThat(r.cause().orElseThrow()).isIn(FailureCause.PORT_UNREACHABLE, FailureCause.TIMEOUT);
    assertThat(secs).isLessThan(TIMEOUT.toSeconds() + 1.0);
  }

  @Test
  void a_port_with_nothing_listening_fails_fast() throws Exception {
    int port = freeUdpPort("127.0.0.1");
    ProbeResult r =
        probe(TftpCheck.connect(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(6)));
    assertThat(r.cause()).contains(FailureCause.PORT_UNREACHABLE);
    assertThat(r.elapsed()).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void over_ipv6_a_stopped_server_is_port_unreachable_at_once() throws Exception {
    Server s = hpa("tftpd-hpa [::1] (to be stopped)", "::1");
    assertThat(probe(TftpCheck.connect(s.address(), TIMEOUT)).success()).isTrue();
    stop(s.process());
    ProbeResult r = probe(TftpCheck.connect(s.address(), TIMEOUT));
    assertThat(r.cause()).contains(FailureCause.PORT_UNREACHABLE);
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(1));
  }
}
