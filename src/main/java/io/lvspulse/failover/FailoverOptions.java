package io.lvspulse.failover;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link Failover} runs, beyond lvs.cf.
 *
 * @param role {@code --role primary|backup}; empty = find it from the config's addresses
 * @param vip the {@code ip}/{@code arping} programs, their watchdog and a command prefix
 * @param userCommandTimeout watchdog of {@code active_cmd} / {@code inactive_cmd} (pulse does not
 *     wait for them at all; lvs-pulse runs them in the background and kills them after this)
 * @param arpCount gratuitous ARPs per VIP on activation (pulse: 5)
 * @param arpInterval time between two of them (pulse: 1 s)
 * @param bindAddress local address of the heartbeat socket; empty = all addresses (pulse)
 * @param listenPort local heartbeat port; empty = {@code heartbeat_port}
 * @param partnerPort the partner's heartbeat port; empty = {@code heartbeat_port}
 * @param maxTick the longest time between two checks of the deadline and the links (the tick is
 *     {@code min(keepalive / 4, maxTick)})
 */
public record FailoverOptions(
    Optional<Role> role,
    VipManager.Options vip,
    Duration userCommandTimeout,
    int arpCount,
    Duration arpInterval,
    Optional<InetAddress> bindAddress,
    Optional<Integer> listenPort,
    Optional<Integer> partnerPort,
    Duration maxTick) {

  public FailoverOptions {
    Objects.requireNonNull(role);
    Objects.requireNonNull(vip);
    Objects.requireNonNull(userCommandTimeout);
    Objects.requireNonNull(arpInterval);
    Objects.requireNonNull(bindAddress);
    Objects.requireNonNull(listenPort);
    Objects.requireNonNull(partnerPort);
    Objects.requireNonNull(maxTick);
    if (arpCount < 0) {
      throw new IllegalArgumentException("arpCount < 0");
    }
    if (maxTick.isZero() || maxTick.isNegative()) {
      throw new IllegalArgumentException("maxTick must be positive");
    }
  }

  /**
   * The daemon's defaults: role from the config, {@code ip}/{@code arping} from PATH, 5 ARPs 1 s
   * apart.
   */
  public static FailoverOptions defaults() {
    return new FailoverOptions(
        Optional.empty(),
        VipManager.Options.defaults(),
        Duration.ofSeconds(30),
        5,
        Duration.ofSeconds(1),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Duration.ofMillis(250));
  }

  public FailoverOptions withRole(Role r) {
    return new FailoverOptions(
        Optional.of(r),
        vip,
        userCommandTimeout,
        arpCount,
        arpInterval,
        bindAddress,
        listenPort,
        partnerPort,
        maxTick);
  }

  public FailoverOptions withCommandPrefix(List<String> prefix) {
    return new FailoverOptions(
        role,
        vip.withCommandPrefix(prefix),
        userCommandTimeout,
        arpCount,
        arpInterval,
        bindAddress,
        listenPort,
        partnerPort,
        maxTick);
  }

  public FailoverOptions withArps(int count, Duration interval) {
    return new FailoverOptions(
        role,
        vip,
        userCommandTimeout,
        count,
        interval,
        bindAddress,
        listenPort,
        partnerPort,
        maxTick);
  }

  /**
   * Binds {@code address:listenPort} and sends to the partner's {@code partnerPort} (tests on
   * loopback).
   */
  public FailoverOptions withSocket(InetAddress address, int listenPort, int partnerPort) {
    return new FailoverOptions(
        role,
        vip,
        userCommandTimeout,
        arpCount,
        arpInterval,
        Optional.of(address),
        Optional.of(listenPort),
        Optional.of(partnerPort),
        maxTick);
  }
}
