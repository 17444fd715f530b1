package io.lvspulse.failover;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The failover meters (Prometheus names after Micrometer's naming convention):
 *
 * <ul>
 *   <li>{@code lvs_pulse_director_active} gauge: 1 while this director is active;
 *   <li>{@code lvs_pulse_partner_active} gauge: 1 while the partner's heartbeats say it is active
 *       (RUNNING); 0 when they say STOPPED, when it is silent for deadtime, before it is heard and
 *       without a partner. With {@code lvs_pulse_director_active} it shows a split brain from
 *       either director alone;
 *   <li>{@code lvs_pulse_heartbeats_sent_total};
 *   <li>{@code
 *       lvs_pulse_heartbeats_received_total{result=ok|wrong_source|bad_magic|bad_mac|replay|handshake|duplicate|bad_length}};
 *   <li>{@code lvs_pulse_failovers_total}: transitions between active and inactive (not the start);
 *   <li>{@code lvs_pulse_failover_action_failures_total{action=...}}: failed activation steps
 *       ({@code active_cmd}, {@code inactive_cmd}, {@code vip_add}, {@code vip_del}, {@code arp},
 *       {@code firewall}, {@code syncd}, {@code listener}, {@code heartbeat_send}).
 * </ul>
 */
public final class FailoverMetrics {
  private final MeterRegistry registry;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger partnerActive = new AtomicInteger();
  private final Gauge gauge;
  private final Gauge partnerGauge;
  private final Counter sent;
  private final Counter failovers;
  private final Map<RxResult, Counter> received = new EnumMap<>(RxResult.class);

  public FailoverMetrics(MeterRegistry registry, Role role) {
    this.registry = registry;
    gauge =
        Gauge.builder("lvs_pulse_director_active", active, AtomicInteger::get)
            .description("1 while this director is active (holds the VIPs)")
            .tag("role", role.label())
            .register(registry);
    partnerGauge =
        Gauge.builder("lvs_pulse_partner_active", partnerActive, AtomicInteger::get)
            .description(
                "1 while the partner's heartbeats say it is active (RUNNING), 0 otherwise (STOPPED,"
                    + " silent for deadtime, not heard yet, no partner)")
            .register(registry);
    sent =
        Counter.builder("lvs_pulse_heartbeats_sent")
            .description("heartbeat datagrams sent")
            .register(registry);
    failovers =
        Counter.builder("lvs_pulse_failovers")
            .description("transitions of this director between active and inactive")
            .register(registry);
    for (RxResult r : RxResult.values()) {
      received.put(
          r,
          Counter.builder("lvs_pulse_heartbeats_received")
              .description("heartbeat datagrams received, by verdict")
              .tag("result", r.tag())
              .register(registry));
    }
  }

  void active(boolean isActive) {
    active.set(isActive ? 1 : 0);
  }

  void partner(PartnerState state) {
    partnerActive.set(state == PartnerState.RUNNING ? 1 : 0);
  }

  void sent() {
    sent.increment();
  }

  void received(RxResult r) {
    Objects.requireNonNull(received.get(r), "a counter for every RxResult").increment();
  }

  void failover() {
    failovers.increment();
  }

  void actionFailed(String action) {
    Counter.builder("lvs_pulse_failover_action_failures")
        .description("failover actions that failed (logged; never fatal)")
        .tag("action", action)
        .register(registry)
        .increment();
  }

  /**
   * Removes the gauges (they refer to this instance's state), so a new instance can register its
   * own.
   */
  void close() {
    registry.remove(gauge);
    registry.remove(partnerGauge);
  }
}
