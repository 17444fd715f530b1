package io.lvspulse.daemon;

import io.lvspulse.announce.AnnounceController;
import io.lvspulse.announce.AnnouncePolicy;
import io.lvspulse.announce.Announcer;
import io.lvspulse.announce.VipRoute;
import io.lvspulse.config.EcmpSettings;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.director.EcmpTables;
import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.firewall.FirewallInstaller;
import io.lvspulse.monitor.MonitorSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The director side of ECMP mode ({@code director_mode = ecmp}): always active, no heartbeat.
 *
 * <ul>
 *   <li>With {@code manage_firewall = 1} the fwmark rules are installed at start (and replaced on
 *       reload), matching any input interface, and left in place on stop.
 *   <li>Each VIP goes on {@code lo} as a host address ({@code ip addr add VIP/32 dev lo}, /128 for
 *       IPv6) at start and when a reload adds one, and is never moved or removed: the router, not
 *       ARP, brings the VIP's packets here, so no gratuitous ARP is sent.
 *   <li>The {@link AnnounceController} announces each VIP through BIRD while this director can
 *       serve it: IPVS converged, every real server probed once, {@code announce_quorum} up, a BGP
 *       session established, not drained (the drain flag file exists).
 *   <li>{@link #withdrawAll} withdraws every VIP first when the daemon stops.
 * </ul>
 */
final class EcmpDirector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EcmpDirector.class);

  private final ExecRunner runner;
  private final FirewallInstaller firewall;
  private final List<String> commandPrefix;
  private final AnnounceController announce;
  private final Set<InetAddress> onLo = new LinkedHashSet<>();

  /**
   * @param config the running config (ECMP mode)
   * @param firewall installs the fwmark rules ({@code manage_firewall = 1}; else none)
   * @param announcer the routing daemon
   * @param snapshot the monitor's current snapshot
   * @param ipvsConverged whether the IPVS table has converged to the desired one
   * @param drainFile the drain flag: while it exists, every VIP is withdrawn
   * @param runner runs {@code ip}
   * @param commandPrefix put before every {@code ip} command (tests: {@code ip netns exec NS})
   * @param clock the announce policy's time
   * @param registry where the announce meters go
   */
  EcmpDirector(
      LvsConfig config,
      FirewallInstaller firewall,
      Announcer announcer,
      Supplier<MonitorSnapshot> snapshot,
      BooleanSupplier ipvsConverged,
      Path drainFile,
      ExecRunner runner,
      List<String> commandPrefix,
      InstantSource clock,
      MeterRegistry registry) {
    this.runner = Objects.requireNonNull(runner);
    this.firewall = Objects.requireNonNull(firewall);
    this.commandPrefix = List.copyOf(commandPrefix);
    this.announce =
        new AnnounceController(
            announcer,
            settings(config.global().ecmp()),
            EcmpVips.routes(config),
            () -> health(snapshot.get(), ipvsConverged.getAsBoolean()),
            clock,
            registry);
    this.announce.watchDrain(() -> Files.exists(drainFile));
  }

  static AnnouncePolicy.Settings settings(EcmpSettings e) {
    return new AnnouncePolicy.Settings(
        e.announceInterval(), e.announceRise(), e.announceFall(), e.announceQuorum());
  }

  static Map<InetAddress, AnnounceController.VipHealth> health(
      MonitorSnapshot s, boolean converged) {
    Map<InetAddress, AnnounceController.VipHealth> out = new LinkedHashMap<>();
    EcmpTables.vipServers(s)
        .forEach(
            (vip, v) ->
                out.put(
                    vip,
                    new AnnounceController.VipHealth(
                        converged, v.firstRoundDone(), v.serversUp(), v.servers())));
    return out;
  }

  /** Installs the fwmark rules, puts the VIPs on {@code lo} and starts announcing. */
  void start(LvsConfig config) {
    installFirewall(config);
    vipsOnLo(config);
    announce.start();
  }

  /**
   * A reload: the fwmark rules are replaced, new VIPs go on {@code lo}; the announce loop follows
   * the new VIP set.
   */
  void reload(LvsConfig next) {
    installFirewall(next);
    vipsOnLo(next);
    announce.reconfigure(EcmpVips.routes(next), settings(next.global().ecmp()));
  }

  /** Every director is active: the rules stay installed for good (also after a stop). */
  private void installFirewall(LvsConfig config) {
    try {
      firewall.install(config);
    } catch (FirewallInstaller.FirewallException e) {
      log.warn("fwmark rules could not be installed: {}", e.getMessage());
    }
  }

  private void vipsOnLo(LvsConfig config) {
    for (VipRoute r : EcmpVips.routes(config)) {
      if (onLo.contains(r.vip())) {
        continue;
      }
      String cidr = r.address() + (r.vip() instanceof Inet4Address ? "/32" : "/128");
      List<String> cmd = new ArrayList<>(commandPrefix);
      cmd.addAll(List.of("ip", "addr", "add", cidr, "dev", "lo"));
      ExecResult res = runner.run(ExecRequest.of(Duration.ofSeconds(5), cmd));
      String err = res.stderr().toLowerCase(Locale.ROOT);
      if (res.succeeded() && res.stderr().isBlank()) {
        log.info("VIP {} up on lo (ECMP: the router routes it here; no ARP)", cidr);
        onLo.add(r.vip());
      } else if (err.contains("file exists") || err.contains("already assigned")) {
        log.info("VIP {} was already on lo", cidr);
        onLo.add(r.vip());
      } else {
        log.warn(
            "VIP {} could not be put on lo: {}; IPVS sees the VIP's packets only if it is a local"
                + " address",
            cidr,
            res.describe());
      }
    }
  }

  /** Withdraws every VIP now and for good; true when BIRD confirmed each. */
  boolean withdrawAll(Duration timeout) {
    return announce.withdrawAll(timeout);
  }

  AnnounceController.Status status() {
    return announce.status();
  }

  AnnounceController controller() {
    return announce;
  }

  @Override
  public void close() {
    announce.close();
  }
}
