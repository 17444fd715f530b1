package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.admin.AdminReply;
import io.lvspulse.admin.AdminService;
import io.lvspulse.admin.PartnerRelay;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.failover.AdminRelayCodec;
import io.lvspulse.failover.AuthenticatedHeartbeatCodec;
import io.lvspulse.failover.HeartbeatEndpoint;
import io.lvspulse.failover.HeartbeatKey;
import io.lvspulse.failover.Role;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.HealthMonitor;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.testing.ManualScheduler;
import io.lvspulse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two directors' admin services joined by the admin relay on two real heartbeat sockets on
 * loopback: a drain on one is applied, saved and acknowledged on the other.
 */
class PartnerAdminChannelTest {
  private static final HeartbeatKey KEY =
      HeartbeatKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T open(T t) {
    open.add(t);
    return t;
  }

  private static LvsConfig config() throws Exception {
    return new LvsConfigParser()
        .parse(
            "t.cf",
            "network = direct\nvirtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n"
                + " fwmark = 1\n port = 69\n protocol = udp\n send_program = \"/bin/true %h\"\n"
                + " server ftp2 {\n  address = 10.0.0.3\n  active = 1\n }\n}\n")
        .config();
  }

  /** One director: its monitor, admin service and heartbeat socket on 127.0.0.1. */
  private record Director(HealthMonitor monitor, AdminService admin, HeartbeatEndpoint endpoint) {}

  private Director director(String name, Role role, int partnerPort) throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    HealthMonitor m =
        open(
            new HealthMonitor(
                (spec, rs) ->
                    new ConfiguredProbe(
                        "fake",
                        "ok",
                        () ->
                            CompletableFuture.completedFuture(
                                ProbeResult.ok("OK", Duration.ofMillis(1)))),
                new ManualScheduler(clock),
                clock,
                new SimpleMeterRegistry(),
                s -> {}));
    m.start(config());
    Path state = dir.resolve(name);
    Files.createDirectories(state);
    AdminService a = new AdminService(m, state.resolve("admin-state"), PartnerRelay.NONE);
    HeartbeatEndpoint ep =
        open(
            HeartbeatEndpoint.open(
                new InetSocketAddress("127.0.0.1", 0),
                Set.of(InetAddress.getByName("127.0.0.1")),
                partnerPort,
                new AuthenticatedHeartbeatCodec(role, KEY, InstantSource.system()),
                (decoded, from) -> {}));
    return new Director(m, a, ep);
  }

  private PartnerAdminChannel channel(Director d, Role role) {
    PartnerAdminChannel ch =
        open(
            new PartnerAdminChannel(
                new AdminRelayCodec(role, KEY, InstantSource.system()), d.endpoint(), d.admin()));
    d.endpoint().onAdmin(ch::onDatagram);
    d.admin().setRelay(ch);
    return ch;
  }

  private static ServerId ftp2() throws Exception {
    return ServerId.of("tftp", InetAddress.getByName("10.0.0.3"), 69);
  }

  @Test
  void a_drain_on_one_director_is_applied_saved_and_confirmed_on_the_other() throws Exception {
    // Each endpoint sends to the other's port: open B on a free port first, then A towards it.
    Director b0 = director("b0", Role.BACKUP, 9); // a placeholder to learn a free port
    int bPort = b0.endpoint().localAddress().getPort();
    b0.endpoint().close();
    Director a = director("a", Role.PRIMARY, bPort);
    int aPort = a.endpoint().localAddress().getPort();
    Director b = directorOnPort("b", Role.BACKUP, bPort, aPort);
    channel(a, Role.PRIMARY);
    channel(b, Role.BACKUP);

    AdminReply r = a.admin().change("tftp", "ftp2", AdminState.DRAIN, "socket user alice");

    assertThat(r.partner()).contains(PartnerRelay.Outcome.CONFIRMED);
    assertThat(r.message()).contains("the partner director applied it too");
    assertThat(b.monitor().adminStates().get(ftp2()).state()).isEqualTo(AdminState.DRAIN);
    assertThat(b.monitor().adminStates().get(ftp2()).by()).isEqualTo("partner 127.0.0.1");
    assertThat(Files.readString(dir.resolve("b").resolve("admin-state")))
        .contains("10.0.0.3\t69\tdrain");

    AdminReply back = b.admin().change("tftp", "10.0.0.3", AdminState.ENABLED, "http 10.9.9.9");
    assertThat(back.partner()).contains(PartnerRelay.Outcome.CONFIRMED);
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.monitor().adminStates().isEmpty());
  }

  private Director directorOnPort(String name, Role role, int port, int partnerPort)
      throws Exception {
    Director d = director(name, role, partnerPort);
    // Rebind on the wanted port: close the one director() opened and open another there.
    d.endpoint().close();
    HeartbeatEndpoint ep =
        open(
            HeartbeatEndpoint.open(
                new InetSocketAddress("127.0.0.1", port),
                Set.of(InetAddress.getByName("127.0.0.1")),
                partnerPort,
                new AuthenticatedHeartbeatCodec(role, KEY, InstantSource.system()),
                (decoded, from) -> {}));
    return new Director(d.monitor(), d.admin(), ep);
  }

  @Test
  void a_silent_partner_leaves_the_change_here_unconfirmed() throws Exception {
    Director silent = director("silent", Role.BACKUP, 9);
    int silentPort = silent.endpoint().localAddress().getPort();
    Director a = director("a", Role.PRIMARY, silentPort);
    channel(a, Role.PRIMARY); // the backup has no relay: it drops admin datagrams

    long t0 = System.nanoTime();
    AdminReply r = a.admin().change("tftp", "ftp2", AdminState.MAINTENANCE, "t");

    assertThat(r.status()).isEqualTo(AdminReply.Status.OK);
    assertThat(r.partner()).contains(PartnerRelay.Outcome.UNCONFIRMED);
    assertThat(r.message()).contains("did NOT confirm", "run the same command");
    assertThat(a.monitor().adminStates()).containsKey(ftp2());
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(PartnerAdminChannel.WAIT.plusSeconds(1));
    assertThat(silent.monitor().adminStates()).isEmpty();
  }
}
