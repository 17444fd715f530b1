package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.firewall.FirewallInstaller;
import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.testing.ManualScheduler;
import io.lvspulse.testing.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.InOrder;

/**
 * The Failover component on a fake clock: every external command goes through a real {@link
 * ExecRunner}, prefixed with a recording script instead of {@code ip netns exec}, so the argument
 * lists are checked exactly; IPVS is the dry-run backend; the firewall installer is a Mockito mock
 * (its real peer, nft, has its own netns test).
 */
class FailoverTest {
  @TempDir Path dir;
  private Path log;
  private final MutableClock clock = new MutableClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final DryRunBackend ipvs = new DryRunBackend();
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final Map<String, Boolean> links = new ConcurrentHashMap<>();
  private final FirewallInstaller firewall = mock(FirewallInstaller.class);
  private Failover failover;

  @BeforeEach
  void setUp() {
    log = dir.resolve("commands.log");
  }

  @AfterEach
  void tearDown() {
    if (failover != null) {
      scheduler.runInline();
      failover.stop(Duration.ofSeconds(5));
    }
  }

  static String recorder() {
    try {
      return Path.of(FailoverTest.class.getResource("/failover/record.sh").toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> commands() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private List<String> commandsSince(int index) throws IOException {
    List<String> all = commands();
    return all.subList(index, all.size());
  }

  private void note(String line) {
    try {
      Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static LvsConfig lonePrimary(
      java.util.function.Consumer<io.lvspulse.config.GlobalSettings.Builder> edit) {
    return TestConfigs.pair(
        "192.0.2.1",
        "192.0.2.2",
        539,
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        List.of(
            TestConfigs.virtual("tftp", "192.0.2.100", "eth0:1", 1),
            TestConfigs.virtual("tftp-again", "192.0.2.100", "eth0:1", 2),
            TestConfigs.virtual("dns", "192.0.2.101", "eth1", 0)),
        g -> {
          g.backupActive = false;
          edit.accept(g);
        });
  }

  private Failover build(LvsConfig config) throws FailoverConfigException {
    FailoverListener listener =
        new FailoverListener() {
          @Override
          public void onActive() {
            note("LISTENER active");
          }

          @Override
          public void onInactive(String reason) {
            note("LISTENER inactive: " + reason);
          }
        };
    return Failover.builder(config)
        .options(
            FailoverOptions.defaults().withCommandPrefix(List.of("sh", recorder(), log.toString())))
        .ipvs(ipvs)
        .registry(registry)
        .listener(listener)
        .firewall(firewall)
        .clock(clock)
        .scheduler(scheduler)
        .actionExecutor(Runnable::run)
        .localAddresses(LocalAddresses.of(Map.of(TestConfigs.ip("192.0.2.1"), "eth0")))
        .linkState(nif -> links.getOrDefault(nif, true))
        .build();
  }

  private double gauge() {
    return registry.get("lvs_pulse_director_active").gauge().value();
  }

  @Test
  void
      a_lone_primary_starts_inactive_then_after_deadtime_brings_up_each_distinct_vip_and_announces_it()
          throws Exception {
    failover =
        build(
            lonePrimary(
                g -> {
                  g.syncdaemon = true;
                  g.syncdIface = "eth1";
                  g.syncdId = 7;
                  g.activeCmd = Optional.of("/usr/local/bin/notify  went active");
                  g.manageFirewall = true;
                }));
    failover.start();
    scheduler.runDue();

    assertThat(commands())
        .containsExactly(
            "ip addr del 192.0.2.100/32 dev eth0",
            "ip addr del 192.0.2.101/32 dev eth1",
            "LISTENER inactive: starting: inactive until the partner is known");
    assertThat(ipvs.commandLog())
        .containsExactly(
            "ipvsadm --stop-daemon backup",
            "ipvsadm --stop-daemon master",
            "ipvsadm --start-daemon backup --mcast-interface eth1 --syncid 7");
    verify(firewall).remove(any());
    verifyNoMoreInteractions(firewall);

    scheduler.advance(Duration.ofMillis(4900));
    assertThat(failover.status().active()).isFalse();
    assertThat(gauge()).isZero();

    scheduler.advance(Duration.ofMillis(200));
    assertThat(failover.status().active()).isTrue();
    assertThat(failover.status().lastTransitionReason())
        .isEqualTo("no backup director (backup_active = 0): active after deadtime");
    assertThat(gauge()).isEqualTo(1.0);
    InOrder fw = inOrder(firewall);
    fw.verify(firewall).remove(any());
    fw.verify(firewall).install(argThat(c -> c.activeFwmarkVirtuals().size() == 2));
    verifyNoMoreInteractions(firewall);
    assertThat(ipvs.commandLog())
        .endsWith("ipvsadm --start-daemon master --mcast-interface eth1 --syncid 7");
    List<String> all = commands(); // read once: a background active_cmd may still append
    List<String> afterStart = all.subList(3, all.size());
    assertThat(
            afterStart.stream()
                .filter(l -> !l.startsWith("/usr/local") && !l.startsWith("arping"))
                .toList())
        .containsExactly(
            "LISTENER active",
            "ip addr add 192.0.2.100/32 dev eth0 label eth0:1",
            "ip addr add 192.0.2.101/32 dev eth1");

    scheduler.advance(Duration.ofSeconds(5));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(commands()).contains("/usr/local/bin/notify went active");
              assertThat(
                      commands().stream()
                          .filter(l -> l.equals("arping -U -c 1 -I eth0 192.0.2.100")))
                  .hasSize(5);
              assertThat(
                      commands().stream()
                          .filter(l -> l.equals("arping -U -c 1 -I eth1 192.0.2.101")))
                  .hasSize(5);
            });
    assertThat(registry.get("lvs_pulse_failovers").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("lvs_pulse_heartbeats_sent").counter().count()).isZero();
  }

  @Test
  void a_failed_command_is_counted_and_the_next_steps_still_run() throws Exception {
    failover =
        Failover.builder(lonePrimary(g -> g.activeCmd = Optional.of("/nonexistent/lvsp-cmd")))
            .options(
                FailoverOptions.defaults()
                    .withCommandPrefix(List.of("/nonexistent/lvsp-prefix"))
                    .withArps(0, Duration.ofSeconds(1)))
            .ipvs(ipvs)
            .registry(registry)
            .clock(clock)
            .scheduler(scheduler)
            .actionExecutor(Runnable::run)
            .localAddresses(LocalAddresses.of(Map.of(TestConfigs.ip("192.0.2.1"), "eth0")))
            .linkState(nif -> true)
            .build();
    failover.start();
    scheduler.advance(Duration.ofSeconds(6));

    assertThat(failover.status().active()).isTrue();
    assertThat(
            registry
                .get("lvs_pulse_failover_action_failures")
                .tag("action", "vip_add")
                .counter()
                .count())
        .isEqualTo(2.0);
    assertThat(
            registry
                .get("lvs_pulse_failover_action_failures")
                .tag("action", "vip_del")
                .counter()
                .count())
        .isEqualTo(2.0);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        registry
                            .get("lvs_pulse_failover_action_failures")
                            .tag("action", "active_cmd")
                            .counter()
                            .count())
                    .isEqualTo(1.0));
  }

  @Test
  void a_failing_firewall_installer_is_counted_and_activation_still_brings_the_vips_up()
      throws Exception {
    doThrow(new FirewallInstaller.FirewallException("nft -f - (install fwmark rules): exit 1"))
        .when(firewall)
        .install(any());
    failover = build(lonePrimary(g -> g.manageFirewall = true));
    failover.start();

    scheduler.advance(Duration.ofSeconds(6));

    assertThat(failover.status().active()).isTrue();
    verify(firewall).install(any());
    assertThat(
            registry
                .get("lvs_pulse_failover_action_failures")
                .tag("action", "firewall")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(commands())
        .contains(
            "LISTENER active",
            "ip addr add 192.0.2.100/32 dev eth0 label eth0:1",
            "ip addr add 192.0.2.101/32 dev eth1");
  }

  @Test
  void with_monitor_links_a_link_going_down_deactivates_and_its_return_reactivates()
      throws Exception {
    failover = build(lonePrimary(g -> g.monitorLinks = true));
    failover.start();
    scheduler.advance(Duration.ofSeconds(6));
    assertThat(failover.status().active()).isTrue();

    links.put("eth1", false);
    scheduler.advance(Duration.ofMillis(300));

    assertThat(failover.status().active()).isFalse();
    assertThat(failover.status().localProblem()).contains("link down: eth1");
    assertThat(commands()).contains("LISTENER inactive: link down: eth1");
    List<String> now = commands();
    assertThat(now.get(now.size() - 2)).isEqualTo("ip addr del 192.0.2.101/32 dev eth1");

    scheduler.advance(Duration.ofSeconds(10));
    assertThat(failover.status().active()).isFalse();

    links.put("eth1", true);
    scheduler.advance(Duration.ofMillis(300));
    assertThat(failover.status().active()).isTrue();
    assertThat(failover.status().localProblem()).isEmpty();
    assertThat(registry.get("lvs_pulse_failovers").counter().count()).isEqualTo(3.0);
  }

  @Test
  void a_problem_reported_by_the_daemon_deactivates_like_pulses_child_failure() throws Exception {
    failover = build(lonePrimary(g -> {}));
    failover.start();
    scheduler.advance(Duration.ofSeconds(6));

    failover.setLocalProblem(Optional.of("ipvs cannot be programmed"));
    scheduler.runDue();

    assertThat(failover.status().active()).isFalse();
    assertThat(failover.status().lastTransitionReason()).isEqualTo("ipvs cannot be programmed");
  }

  @Test
  void a_reload_while_active_moves_only_the_changed_vips_and_reports_what_needs_a_restart()
      throws Exception {
    failover = build(lonePrimary(g -> {}));
    failover.start();
    scheduler.advance(Duration.ofSeconds(6));
    int before = commands().size();
    LvsConfig next =
        TestConfigs.pair(
            "192.0.2.1",
            "192.0.2.2",
            540,
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            List.of(
                TestConfigs.virtual("tftp", "192.0.2.100", "eth0:1", 1),
                TestConfigs.virtual("ntp", "192.0.2.102", "eth0:2", 0)),
            g -> g.backupActive = false);

    List<String> ignored = failover.reload(next);
    scheduler.runDue();

    assertThat(ignored)
        .containsExactly(
            "heartbeat_port changed (539 -> 540): not applied until lvs-pulse restarts");
    assertThat(commandsSince(before).stream().filter(l -> l.startsWith("ip ")).toList())
        .containsExactly(
            "ip addr del 192.0.2.101/32 dev eth1",
            "ip addr add 192.0.2.102/32 dev eth0 label eth0:2");
  }

  @Test
  void stopping_an_active_director_takes_its_vips_down() throws Exception {
    failover = build(lonePrimary(g -> {}));
    failover.start();
    scheduler.advance(Duration.ofSeconds(6));

    scheduler.runInline();
    failover.stop(Duration.ofSeconds(5));

    assertThat(commands().stream().filter(l -> !l.startsWith("arping")).toList())
        .endsWith(
            "ip addr del 192.0.2.100/32 dev eth0",
            "ip addr del 192.0.2.101/32 dev eth1",
            "LISTENER inactive: shutting down");
    assertThat(registry.find("lvs_pulse_director_active").gauge())
        .as("the gauge is unregistered on stop")
        .isNull();
    assertThat(registry.get("lvs_pulse_failovers").counter().count()).isEqualTo(2.0);
    failover = null;
  }

  @Test
  void the_backup_of_a_config_without_backup_active_refuses_to_build() {
    LvsConfig c = lonePrimary(g -> {});
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                Failover.builder(c)
                    .ipvs(ipvs)
                    .localAddresses(LocalAddresses.of(Map.of(TestConfigs.ip("192.0.2.2"), "eth0")))
                    .build())
        .isInstanceOf(FailoverConfigException.class)
        .hasMessageContaining("backup_active = 0");
  }

  @Test
  void active_cmd_is_split_on_spaces_without_a_shell() {
    assertThat(DirectorActions.splitCommand("  /usr/bin/logger -t lvs  'two words'; rm -rf / "))
        .containsExactly("/usr/bin/logger", "-t", "lvs", "'two", "words';", "rm", "-rf", "/");
  }
}
