package io.lvspulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.HealthMonitor;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.ProbeSource;
import io.lvspulse.testing.ManualScheduler;
import io.lvspulse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServiceTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T00:00:00Z"));
  private final List<String> relayed = new ArrayList<>();
  private HealthMonitor monitor;

  static final ProbeSource OK =
      (spec, rs) ->
          new ConfiguredProbe(
              "fake",
              "ok",
              () -> CompletableFuture.completedFuture(ProbeResult.ok("OK", Duration.ofMillis(1))));

  static LvsConfig config() throws Exception {
    return new LvsConfigParser()
        .parse(
            "t.cf",
            "network = direct\nvirtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n"
                + " fwmark = 1\n port = 69\n protocol = udp\n send_program = \"/bin/true %h\"\n"
                + " server ftp1 {\n  address = 10.0.0.2\n  active = 1\n }\n"
                + " server ftp2 {\n  address = 10.0.0.3\n  active = 1\n }\n"
                + " server off {\n  address = 10.0.0.4\n  active = 0\n }\n"
                + "}\nvirtual idle {\n active = 0\n address = 203.0.113.11 eth0:2\n port = 80\n"
                + " server w {\n  address = 10.0.0.9\n  active = 1\n }\n}\n")
        .config();
  }

  private AdminService service(Path stateFile, Map<ServerId, Admin> restored) throws Exception {
    monitor =
        new HealthMonitor(
            OK, new ManualScheduler(clock), clock, new SimpleMeterRegistry(), s -> {});
    monitor.start(config(), HealthMonitor.KernelWeights.NONE, restored);
    return new AdminService(
        monitor,
        stateFile,
        (id, st) -> {
          relayed.add(id + " " + st.label());
          return PartnerRelay.Outcome.CONFIRMED;
        });
  }

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  private static ServerId id(String a) throws Exception {
    return ServerId.of("tftp", InetAddress.getByName(a), 69);
  }

  @Test
  void a_change_names_the_server_by_block_name_address_or_address_and_port() throws Exception {
    AdminService s = service(dir.resolve("admin-state"), Map.of());

    AdminReply r = s.change("tftp", "ftp2", AdminState.DRAIN, "test");

    assertThat(r.status()).isEqualTo(AdminReply.Status.OK);
    assertThat(r.server()).contains(id("10.0.0.3"));
    assertThat(r.message())
        .isEqualTo(
            "tftp/10.0.0.3:69: drain (weight 0, existing clients finish); the partner director"
                + " applied it too");
    assertThat(s.change("tftp", "10.0.0.3", AdminState.MAINTENANCE, "t").server())
        .contains(id("10.0.0.3"));
    assertThat(s.change("tftp", "10.0.0.2:69", AdminState.DRAIN, "t").server())
        .contains(id("10.0.0.2"));
    assertThat(relayed)
        .containsExactly(
            "tftp/10.0.0.3:69 drain", "tftp/10.0.0.3:69 maintenance", "tftp/10.0.0.2:69 drain");
  }

  @Test
  void every_change_is_in_the_state_file_and_a_new_service_restores_it() throws Exception {
    Path f = dir.resolve("admin-state");
    AdminService s = service(f, Map.of());
    s.change("tftp", "ftp1", AdminState.DRAIN, "alice");
    s.change("tftp", "ftp2", AdminState.MAINTENANCE, "bob");
    s.change("tftp", "ftp2", AdminState.ENABLED, "bob");
    monitor.close();

    Map<ServerId, Admin> restored = AdminService.restore(f);

    assertThat(restored).containsOnlyKeys(id("10.0.0.2"));
    assertThat(restored.get(id("10.0.0.2")).state()).isEqualTo(AdminState.DRAIN);
    assertThat(restored.get(id("10.0.0.2")).by()).isEqualTo("alice");
  }

  @Test
  void a_corrupt_state_file_is_ignored_and_kept_aside() throws Exception {
    Path f = dir.resolve("admin-state");
    Files.writeString(f, "lvs-pulse-admin-state 1\ngarbage\n");

    assertThat(AdminService.restore(f)).isEmpty();
    assertThat(f).doesNotExist();
    assertThat(dir.resolve("admin-state.corrupt")).hasContent("lvs-pulse-admin-state 1\ngarbage");
  }

  @Test
  void unknown_inactive_and_ambiguous_names_are_refused_with_what_exists() throws Exception {
    AdminService s = service(dir.resolve("admin-state"), Map.of());

    AdminReply noVirtual = s.change("dns", "ftp1", AdminState.DRAIN, "t");
    assertThat(noVirtual.status()).isEqualTo(AdminReply.Status.NOT_FOUND);
    assertThat(noVirtual.message()).contains("no virtual service 'dns'", "tftp, idle");
    AdminReply noServer = s.change("tftp", "ftp9", AdminState.DRAIN, "t");
    assertThat(noServer.status()).isEqualTo(AdminReply.Status.NOT_FOUND);
    assertThat(noServer.message()).contains("no real server 'ftp9'", "ftp1, ftp2, off");
    assertThat(s.change("tftp", "off", AdminState.DRAIN, "t").message())
        .contains("is not active (active = 0)");
    assertThat(s.change("idle", "w", AdminState.DRAIN, "t").message())
        .contains("virtual service idle is not active");
    assertThat(s.change("tftp", "", AdminState.DRAIN, "t").status())
        .isEqualTo(AdminReply.Status.BAD_REQUEST);
    assertThat(s.change("tftp", "x\u001b[2J", AdminState.DRAIN, "t").message())
        .as("echoed user text is escaped")
        .contains("x%1B[2J")
        .doesNotContain("\u001b");
    assertThat(relayed).isEmpty();
    assertThat(monitor.adminStates()).isEmpty();
  }

  @Test
  void an_unwritable_state_directory_still_applies_the_change_and_says_it_is_not_saved()
      throws Exception {
    AdminService s = service(dir.resolve("missing-dir").resolve("admin-state"), Map.of());

    AdminReply r = s.change("tftp", "ftp1", AdminState.DRAIN, "t");

    assertThat(r.status()).isEqualTo(AdminReply.Status.OK);
    assertThat(r.saved()).isFalse();
    assertThat(r.message()).contains("WARNING: not saved, it will not survive a restart");
    assertThat(monitor.adminStates()).containsOnlyKeys(id("10.0.0.2"));
  }

  @Test
  void a_change_from_the_partner_is_applied_and_saved_but_not_relayed_back() throws Exception {
    Path f = dir.resolve("admin-state");
    AdminService s = service(f, Map.of());

    assertThat(
            s.applyFromPartner(id("10.0.0.3"), AdminState.DRAIN, InetAddress.getByName("10.9.9.9")))
        .isTrue();

    assertThat(relayed).isEmpty();
    assertThat(monitor.adminStates().get(id("10.0.0.3")).by()).isEqualTo("partner 10.9.9.9");
    assertThat(Files.readString(f)).contains("partner 10.9.9.9");
    assertThat(
            s.applyFromPartner(
                ServerId.of("tftp", InetAddress.getByName("10.0.0.99"), 69),
                AdminState.DRAIN,
                InetAddress.getByName("10.9.9.9")))
        .isFalse();
  }
}
