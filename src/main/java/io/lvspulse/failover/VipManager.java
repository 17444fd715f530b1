package io.lvspulse.failover;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.net.Addresses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings VIPs up and down with iproute2 and announces them with iputils {@code arping} (IPv6: the
 * kernel's neighbour advertisement), every command an argument list through {@link ExecRunner}
 * under a watchdog, exit code and stderr checked.
 *
 * <ul>
 *   <li>up: {@code ip addr add VIP/PREFIX dev DEV [label DEV:N]} — "already assigned" counts as
 *       done;
 *   <li>down: {@code ip addr del VIP/PREFIX dev DEV} — "not found" counts as done;
 *   <li>announce: {@code arping -U -c 1 -I DEV VIP} (one unsolicited ARP; {@link Failover} repeats
 *       it 5 times 1 s apart, as pulse's {@code send_arp} loop, and cancels the rest on
 *       deactivation).
 * </ul>
 *
 * <p>An IPv6 VIP:
 *
 * <ul>
 *   <li>up: {@code sysctl -qw net/ipv6/conf/all/accept_dad=0 net/ipv6/conf/DEV/accept_dad=0
 *       net/ipv6/conf/DEV/ndisc_notify=1}, then {@code ip -6 addr add VIP/PREFIX dev DEV} (no
 *       label: labels are IPv4's). The kernel skips duplicate address detection only when both
 *       {@code accept_dad} are 0 ("all" is 0 by default and is the lower bound, so other devices
 *       keep DAD), and then, for a new (tentative) address, sends one unsolicited neighbour
 *       advertisement (override flag, to all nodes) when the device has {@code ndisc_notify}
 *       ({@code addrconf_dad_begin} → {@code addrconf_dad_completed(..., send_na)} in
 *       net/ipv6/addrconf.c): IPv6's gratuitous ARP, sent by the kernel, since Java cannot send
 *       ICMPv6 and the tools that can (ndisc6 has no {@code ndsend}; ipv6toolkit's na6) insist on
 *       uid 0 while the daemon runs as its own user. {@code ip ... nodad} would skip DAD too but
 *       sends nothing: a {@code nodad} address is never tentative. DAD itself would keep the VIP
 *       unusable for a second and fail it while the old director still holds the address (a crashed
 *       daemon cannot take its VIP down). If the sysctls cannot be written, the VIP comes up with
 *       {@code nodad} and without an advertisement (logged and counted as {@code na});
 *   <li>down: {@code ip -6 addr del VIP/PREFIX dev DEV};
 *   <li>announce: nothing more (the advertisement went out as the address came up).
 * </ul>
 *
 * <p>Every command is prefixed with {@link Options#commandPrefix()} (empty for the daemon; {@code
 * ip netns exec NS} in tests, so the director is a network namespace).
 */
public final class VipManager {
  private static final Logger log = LoggerFactory.getLogger(VipManager.class);

  /**
   * @param commandPrefix words put before every command (e.g. {@code ip netns exec lvsp-a})
   * @param ip the iproute2 {@code ip} program
   * @param arping the iputils {@code arping} program
   * @param timeout watchdog for each command
   * @param sysctl procps {@code sysctl} (IPv6 VIPs: no DAD and {@code ndisc_notify} on the device)
   */
  public record Options(
      List<String> commandPrefix, String ip, String arping, Duration timeout, String sysctl) {
    public Options {
      commandPrefix = List.copyOf(commandPrefix);
      Objects.requireNonNull(ip);
      Objects.requireNonNull(arping);
      Objects.requireNonNull(timeout);
      Objects.requireNonNull(sysctl);
    }

    public Options(List<String> commandPrefix, String ip, String arping, Duration timeout) {
      this(commandPrefix, ip, arping, timeout, "sysctl");
    }

    /** No prefix, {@code ip}, {@code arping} and {@code sysctl} from PATH, 5 s watchdog. */
    public static Options defaults() {
      return new Options(List.of(), "ip", "arping", Duration.ofSeconds(5), "sysctl");
    }

    public Options withCommandPrefix(List<String> prefix) {
      return new Options(prefix, ip, arping, timeout, sysctl);
    }
  }

  private final ExecRunner runner;
  private final Options options;
  private final FailoverMetrics metrics;

  public VipManager(ExecRunner runner, Options options, FailoverMetrics metrics) {
    this.runner = Objects.requireNonNull(runner);
    this.options = Objects.requireNonNull(options);
    this.metrics = Objects.requireNonNull(metrics);
  }

  /** The full argument list of {@code ip addr add} ({@code ip -6 addr add} for IPv6). */
  public List<String> addCommand(Vip vip) {
    if (!vip.ipv4()) {
      return prefixed(options.ip(), "-6", "addr", "add", vip.cidr(), "dev", vip.interfaceName());
    }
    List<String> c = prefixed(options.ip(), "addr", "add", vip.cidr(), "dev", vip.interfaceName());
    vip.label()
        .ifPresent(
            l -> {
              c.add("label");
              c.add(l);
            });
    return c;
  }

  /** The full argument list of {@code ip addr del} ({@code ip -6 addr del}). */
  public List<String> delCommand(Vip vip) {
    return vip.ipv4()
        ? prefixed(options.ip(), "addr", "del", vip.cidr(), "dev", vip.interfaceName())
        : prefixed(options.ip(), "-6", "addr", "del", vip.cidr(), "dev", vip.interfaceName());
  }

  /**
   * The sysctls that make the kernel add an IPv6 VIP at once and advertise it: no DAD on the device
   * ({@code all} and the device's {@code accept_dad} 0) and {@code ndisc_notify} on it. The slash
   * form keeps a dot in a VLAN name such as {@code bond0.100}.
   */
  public List<String> ndiscCommand(Vip vip) {
    String conf = "net/ipv6/conf/" + vip.interfaceName() + "/";
    return prefixed(
        options.sysctl(),
        "-qw",
        "net/ipv6/conf/all/accept_dad=0",
        conf + "accept_dad=0",
        conf + "ndisc_notify=1");
  }

  /** The full argument list of one gratuitous ARP. */
  public List<String> arpCommand(Vip vip) {
    return prefixed(
        options.arping(),
        "-U",
        "-c",
        "1",
        "-I",
        vip.interfaceName(),
        Addresses.canonical(vip.address()));
  }

  /** Brings {@code vip} up; true when it is up afterwards. */
  public boolean up(Vip vip) {
    List<String> add = addCommand(vip);
    if (!vip.ipv4()) {
      ExecResult n = runner.run(ExecRequest.of(options.timeout(), ndiscCommand(vip)));
      if (!n.succeeded() || !n.stderr().isBlank()) {
        metrics.actionFailed("na");
        log.warn(
            "IPv6 VIP {}: the sysctls for an immediate address and its neighbour advertisement"
                + " failed ({}); bringing it up with nodad, unannounced",
            vip.cidr(),
            n.describe());
        add = new ArrayList<>(add);
        add.add("nodad");
      }
    }
    ExecResult r = runner.run(ExecRequest.of(options.timeout(), add));
    if (r.succeeded() && r.stderr().isBlank()) {
      log.info("VIP {} up on {} ({})", vip.cidr(), vip.device(), vip.source());
      return true;
    }
    String err = r.stderr().toLowerCase(Locale.ROOT);
    if (r.exitCode() == 2 && (err.contains("already assigned") || err.contains("file exists"))) {
      log.info("VIP {} was already up on {} ({})", vip.cidr(), vip.device(), vip.source());
      return true;
    }
    metrics.actionFailed("vip_add");
    log.warn("VIP {} could not be brought up on {}: {}", vip.cidr(), vip.device(), r.describe());
    return false;
  }

  /** Takes {@code vip} down; true when it is gone afterwards. */
  public boolean down(Vip vip) {
    ExecResult r = runner.run(ExecRequest.of(options.timeout(), delCommand(vip)));
    if (r.succeeded() && r.stderr().isBlank()) {
      log.info("VIP {} down on {} ({})", vip.cidr(), vip.device(), vip.source());
      return true;
    }
    String err = r.stderr().toLowerCase(Locale.ROOT);
    if (r.exitCode() == 2
        && (err.contains("not found") || err.contains("cannot assign requested address"))) {
      log.debug("VIP {} was not up on {}", vip.cidr(), vip.device());
      return true;
    }
    metrics.actionFailed("vip_del");
    log.warn("VIP {} could not be taken down on {}: {}", vip.cidr(), vip.device(), r.describe());
    return false;
  }

  /**
   * Sends one gratuitous ARP for {@code vip} asynchronously. An IPv6 VIP was announced by the
   * kernel's neighbour advertisement as it came up ({@link #up}): nothing to do.
   */
  public CompletableFuture<Boolean> announce(Vip vip) {
    if (!vip.ipv4()) {
      return CompletableFuture.completedFuture(true);
    }
    return runner
        .start(ExecRequest.of(options.timeout(), arpCommand(vip)))
        .thenApply(
            r -> {
              if (r.succeeded()) {
                log.debug(
                    "gratuitous ARP for {} on {}",
                    Addresses.canonical(vip.address()),
                    vip.interfaceName());
                return true;
              }
              metrics.actionFailed("arp");
              log.warn(
                  "gratuitous ARP for {} on {} failed: {}",
                  Addresses.canonical(vip.address()),
                  vip.interfaceName(),
                  r.describe());
              return false;
            });
  }

  private List<String> prefixed(String... command) {
    List<String> c = new ArrayList<>(options.commandPrefix());
    c.addAll(List.of(command));
    return c;
  }

  public Options options() {
    return options;
  }
}
