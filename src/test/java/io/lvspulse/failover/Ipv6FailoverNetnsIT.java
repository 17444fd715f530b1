package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.testing.NetNs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A director pair over IPv6: the heartbeats go over the IPv6 loopback ({@code [::1]}, one port per
 * director), plain (pulse's 4 bytes) and authenticated (HMAC); each director's VIP actions run for
 * real in its own network namespace (primary {@code -a}, backup {@code -b}, ULA addresses on the
 * veth {@code lan0}). The IPv6 VIP follows the active director, comes up without DAD, and the
 * namespace it left learns the new holder from the kernel's unsolicited neighbour advertisement,
 * without asking. IPVS is the dry-run backend. keepalive 200 ms, deadtime 1 s.
 */
class Ipv6FailoverNetnsIT {
  private static final Duration KEEPALIVE = Duration.ofMillis(200);
  private static final Duration DEADTIME = Duration.ofSeconds(1);

  private NetNs ns;
  private final List<Failover> directors = new ArrayList<>();
  private Path key;

  @BeforeEach
  void setUp() throws Exception {
    ns = NetNs.createPair();
    ns.must("ip", "-n", ns.a, "-6", "addr", "add", v6(1) + "/64", "dev", "lan0", "nodad");
    ns.must("ip", "-n", ns.b, "-6", "addr", "add", v6(2) + "/64", "dev", "lan0", "nodad");
    key = Files.createTempFile("lvsp-ipv6-hb-", ".key");
    byte[] k = new byte[32];
    new java.security.SecureRandom().nextBytes(k);
    Files.writeString(key, Base64.getEncoder().encodeToString(k) + "\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Failover f : directors) {
      f.stop(Duration.ofSeconds(10));
    }
    ns.close();
    Files.deleteIfExists(key);
  }

  private String v6(int host) {
    return "fd00:" + Integer.toHexString(ns.subnet) + "::" + Integer.toHexString(host);
  }

  private static int freeV6Port() throws Exception {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(TestConfigs.ip("::1"), 0))) {
      return s.getLocalPort();
    }
  }

  private Failover director(LvsConfig c, Role role, String namespace, int port, int partnerPort)
      throws Exception {
    Failover f =
        Failover.builder(c)
            .options(
                FailoverOptions.defaults()
                    .withRole(role)
                    .withSocket(TestConfigs.ip("::1"), port, partnerPort)
                    .withCommandPrefix(NetNs.prefix(namespace))
                    .withArps(2, Duration.ofMillis(200)))
            .ipvs(new DryRunBackend())
            .registry(new SimpleMeterRegistry())
            .localAddresses(LocalAddresses.of(Map.of()))
            .build();
    f.start();
    directors.add(f);
    return f;
  }

  private boolean holds(String namespace, String vip) {
    return ns.must("ip", "-n", namespace, "-6", "-o", "addr", "show", "dev", "lan0")
        .contains("inet6 " + vip + "/128");
  }

  private String mac(String namespace) {
    Matcher m =
        Pattern.compile("link/ether ([0-9a-f:]{17})")
            .matcher(ns.must("ip", "-n", namespace, "link", "show", "lan0"));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @ParameterizedTest(name = "authenticated = {0}")
  @ValueSource(booleans = {false, true})
  void the_ipv6_vip_follows_the_active_director_and_its_advertisement_tells_the_lan(
      boolean authenticated) throws Exception {
    String vip = v6(100);
    LvsConfig c =
        TestConfigs.pair(
            "::1",
            "::1",
            539,
            KEEPALIVE,
            DEADTIME,
            List.of(TestConfigs.virtual("tftp6", vip, "lan0", 1)),
            g -> {
              if (authenticated) {
                g.heartbeatKeyFile = Optional.of(key);
              }
            });
    int pPort = freeV6Port();
    int bPort = freeV6Port();
    Failover backup = director(c, Role.BACKUP, ns.b, bPort, pPort);
    Failover primary = director(c, Role.PRIMARY, ns.a, pPort, bPort);

    await().atMost(Duration.ofSeconds(10)).until(() -> holds(ns.a, vip));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> backup.status().partnerState() == PartnerState.RUNNING);
    assertThat(primary.status().active()).isTrue();
    assertThat(primary.status().partner().map(io.lvspulse.net.Addresses::canonical))
        .contains("::1");
    assertThat(holds(ns.b, vip)).isFalse();
    assertThat(ns.must("ip", "-n", ns.a, "-6", "-o", "addr", "show", "dev", "lan0").lines())
        .filteredOn(l -> l.contains("inet6 " + vip + "/128 scope global"))
        .singleElement()
        .asString()
        .doesNotContain("tentative");

    // The namespace the VIP leaves plays the LAN's router: it creates a neighbour entry from an
    // advertisement it hears (accept_untracked_na, which the kernel honours only on an interface
    // that forwards; a client with traffic to the VIP has an entry already, which the NA's override
    // flag updates).
    ns.must("ip", "netns", "exec", ns.a, "sysctl", "-qw", "net.ipv6.conf.lan0.forwarding=1");
    ns.must(
        "ip", "netns", "exec", ns.a, "sysctl", "-qw", "net.ipv6.conf.lan0.accept_untracked_na=1");
    long t0 = System.nanoTime();
    primary.stop(Duration.ofSeconds(10));
    directors.remove(primary);
    await()
        .atMost(DEADTIME.plusSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> holds(ns.b, vip));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(DEADTIME.plusSeconds(2));
    assertThat(holds(ns.a, vip)).isFalse();
    assertThat(backup.status().active()).isTrue();
    String macB = mac(ns.b);
    await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () ->
                assertThat(ns.must("ip", "-n", ns.a, "-6", "neigh", "show", vip))
                    .as("learnt from b's unsolicited neighbour advertisement")
                    .contains("lladdr " + macB));

    backup.stop(Duration.ofSeconds(10));
    directors.remove(backup);
    assertThat(holds(ns.b, vip)).as("removed on deactivation").isFalse();
  }
}
