package io.lvspulse.failover;

import io.lvspulse.config.GlobalSettings;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.firewall.FirewallInstaller;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.SyncDaemonRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a director does when it becomes active or inactive, or reloads while active: the side of
 * {@link Failover} that runs external commands and so may be slow, kept apart from the state shell
 * that owns the heartbeat and the {@link PulseStateMachine}.
 *
 * <p>Activation: {@code active_cmd} (in the background), fwmark rules ({@code manage_firewall =
 * 1}), sync daemon to master ({@code syncdaemon = 1}), {@link FailoverListener#onActive()} (the
 * daemon programs IPVS), every distinct VIP up, then {@code arpCount} gratuitous ARPs per VIP
 * {@code arpInterval} apart on the scheduler thread. Deactivation: {@code inactive_cmd}, VIPs down
 * (pending ARPs cancelled by the new epoch; the caller may then say STOPPED at once), sync daemon
 * to backup, fwmark rules removed, {@link FailoverListener#onInactive}. Every failing step is
 * logged and counted and the next step still runs.
 *
 * <p>Threads: every method runs on the failover actions thread, one at a time and in order (the
 * class keeps no mutable state of its own); the ARPs it schedules run on the scheduler thread and
 * are dropped once {@code epoch} has moved on or the failover has stopped. It logs under {@link
 * Failover}'s logger, as before the two were split.
 */
final class DirectorActions {
  private static final Logger log = LoggerFactory.getLogger(Failover.class);

  private final FailoverOptions options;
  private final ExecRunner runner;
  private final IpvsBackend ipvs;
  private final FailoverListener listener;
  private final FirewallInstaller firewall;
  private final VipManager vips;
  private final FailoverMetrics metrics;
  private final FailoverScheduler scheduler;
  private final LongSupplier epoch;
  private final BooleanSupplier stopped;

  /**
   * @param epoch the shell's activation epoch: a step of an older epoch stops bringing VIPs up, and
   *     its ARPs are dropped
   * @param stopped whether the failover has stopped (ARPs are dropped)
   */
  DirectorActions(
      FailoverOptions options,
      ExecRunner runner,
      IpvsBackend ipvs,
      FailoverListener listener,
      FirewallInstaller firewall,
      VipManager vips,
      FailoverMetrics metrics,
      FailoverScheduler scheduler,
      LongSupplier epoch,
      BooleanSupplier stopped) {
    this.options = Objects.requireNonNull(options);
    this.runner = Objects.requireNonNull(runner);
    this.ipvs = Objects.requireNonNull(ipvs);
    this.listener = Objects.requireNonNull(listener);
    this.firewall = Objects.requireNonNull(firewall);
    this.vips = Objects.requireNonNull(vips);
    this.metrics = Objects.requireNonNull(metrics);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.epoch = Objects.requireNonNull(epoch);
    this.stopped = Objects.requireNonNull(stopped);
  }

  /**
   * Activation: {@code active_cmd} (in the background), fwmark rules, sync daemon to master, the
   * listener, every distinct VIP up (stopping early when deactivated meanwhile), then the ARPs.
   */
  void activate(LvsConfig c, long e) {
    GlobalSettings g = c.global();
    userCommand(g.activeCmd(), "active_cmd");
    if (g.manageFirewall()) {
      try {
        firewall.install(c);
        log.info("fwmark rules installed");
      } catch (FirewallInstaller.FirewallException | RuntimeException ex) {
        metrics.actionFailed("firewall");
        log.warn("fwmark rules not installed: {}", ex.getMessage());
      }
    }
    if (g.syncdaemon()) {
      // Master before the VIPs, as pulse (after them saved ~0.4 s in the lab: within the spread).
      switchSyncDaemon(c, SyncDaemonRole.MASTER);
    }
    try {
      listener.onActive();
    } catch (RuntimeException ex) {
      metrics.actionFailed("listener");
      log.error("failover listener failed on activation", ex);
    }
    List<Vip> up = new ArrayList<>();
    for (Vip v : Vip.of(c)) {
      if (epoch.getAsLong() != e) {
        return; // deactivated meanwhile: its steps follow on this thread
      }
      if (vips.up(v)) {
        up.add(v);
      }
    }
    announce(up, e);
  }

  /** Still active while the partner says it is too: {@code active_cmd} again, then the ARPs. */
  void reannounce(LvsConfig c, long e) {
    userCommand(c.global().activeCmd(), "active_cmd");
    announce(Vip.of(c), e);
  }

  /** Schedules the gratuitous ARPs of {@code list}; a newer epoch or a stop cancels them. */
  private void announce(List<Vip> list, long e) {
    if (list.isEmpty() || options.arpCount() == 0) {
      return;
    }
    for (int i = 0; i < options.arpCount(); i++) {
      scheduler.schedule(
          options.arpInterval().multipliedBy(i),
          () -> {
            if (epoch.getAsLong() != e || stopped.getAsBoolean()) {
              return; // cancelled by a deactivation
            }
            for (Vip v : list) {
              vips.announce(v);
            }
          });
    }
  }

  /**
   * Deactivation: {@code inactive_cmd}, VIPs down, sync daemon to backup, fwmark rules removed, the
   * listener.
   */
  void deactivate(LvsConfig c, String reason) {
    deactivate(c, reason, () -> {});
  }

  /** As {@link #deactivate(LvsConfig, String)}; {@code vipsDown} runs once the VIPs are down. */
  void deactivate(LvsConfig c, String reason, Runnable vipsDown) {
    GlobalSettings g = c.global();
    userCommand(g.inactiveCmd(), "inactive_cmd");
    for (Vip v : Vip.of(c)) {
      vips.down(v);
    }
    vipsDown.run();
    if (g.syncdaemon()) {
      switchSyncDaemon(c, SyncDaemonRole.BACKUP);
    }
    if (g.manageFirewall()) {
      try {
        firewall.remove(c);
        log.info("fwmark rules removed");
      } catch (FirewallInstaller.FirewallException | RuntimeException ex) {
        metrics.actionFailed("firewall");
        log.warn("fwmark rules not removed: {}", ex.getMessage());
      }
    }
    try {
      listener.onInactive(reason);
    } catch (RuntimeException ex) {
      metrics.actionFailed("listener");
      log.error("failover listener failed on deactivation", ex);
    }
  }

  /** A reload while active: VIPs moved, fwmark rules and sync daemon updated. */
  void reload(LvsConfig old, LvsConfig now, long e) {
    List<Vip> before = Vip.of(old);
    List<Vip> after = Vip.of(now);
    for (Vip v : before) {
      if (!after.contains(v)) {
        vips.down(v);
      }
    }
    List<Vip> added = new ArrayList<>();
    for (Vip v : after) {
      if (!before.contains(v) && vips.up(v)) {
        added.add(v);
      }
    }
    announce(added, e);
    GlobalSettings o = old.global();
    GlobalSettings n = now.global();
    try {
      if (n.manageFirewall()) {
        firewall.install(now);
      } else if (o.manageFirewall()) {
        firewall.remove(old);
      }
    } catch (FirewallInstaller.FirewallException | RuntimeException ex) {
      metrics.actionFailed("firewall");
      log.warn("fwmark rules not updated on reload: {}", ex.getMessage());
    }
    if (syncdChanged(o, n)) {
      if (n.syncdaemon()) {
        switchSyncDaemon(now, SyncDaemonRole.MASTER);
      } else {
        stopSyncDaemons();
      }
    }
  }

  static boolean syncdChanged(GlobalSettings o, GlobalSettings n) {
    return o.syncdaemon() != n.syncdaemon()
        || !o.syncdIface().equals(n.syncdIface())
        || o.syncdId() != n.syncdId();
  }

  /** pulse's {@code syncDaemon}: stop backup, stop master, start {@code role}. */
  void switchSyncDaemon(LvsConfig c, SyncDaemonRole role) {
    stopSyncDaemons();
    if (!c.global().syncdaemon()) {
      return;
    }
    try {
      ipvs.startSyncDaemon(role, c.global().syncdIface(), c.global().syncdId());
      log.info(
          "IPVS sync daemon {} on {} syncid {}",
          role.arg(),
          c.global().syncdIface(),
          c.global().syncdId());
    } catch (IpvsException | RuntimeException ex) {
      metrics.actionFailed("syncd");
      log.warn("IPVS sync daemon {} not started: {}", role.arg(), ex.getMessage());
    }
  }

  private void stopSyncDaemons() {
    for (SyncDaemonRole r : List.of(SyncDaemonRole.BACKUP, SyncDaemonRole.MASTER)) {
      try {
        ipvs.stopSyncDaemon(r);
      } catch (IpvsException | RuntimeException ex) {
        // Usually "no such process": that daemon was not running.
        log.debug("IPVS sync daemon {} not stopped: {}", r.arg(), ex.getMessage());
      }
    }
  }

  /** Runs {@code active_cmd}/{@code inactive_cmd} in the background: split on spaces, no shell. */
  private void userCommand(Optional<String> cmd, String what) {
    if (cmd.isEmpty() || cmd.get().isBlank()) {
      return;
    }
    List<String> argv = new ArrayList<>(options.vip().commandPrefix());
    argv.addAll(splitCommand(cmd.get()));
    log.info("running {}: {}", what, String.join(" ", argv));
    runner
        .start(ExecRequest.of(options.userCommandTimeout(), argv))
        .thenAccept(
            r -> {
              if (r.succeeded()) {
                log.info("{} done: {}", what, r.describe());
              } else {
                metrics.actionFailed(what);
                log.warn("{} failed: {}", what, r.describe());
              }
            });
  }

  /** pulse's split: on spaces, empty words dropped, no quoting. */
  static List<String> splitCommand(String cmd) {
    List<String> out = new ArrayList<>();
    for (String w : cmd.strip().split("[ \t]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }
}
