package io.lvspulse.failover;

/**
 * Told when this director becomes active or inactive, on the failover actions thread, in order.
 *
 * <p>{@link #onActive()} runs after {@code active_cmd} was started, the fwmark rules were installed
 * and the sync daemon switched to master, and <em>before</em> the VIPs come up: the daemon programs
 * IPVS from the states it already has there (it may block for that, bounded by its own ipvsadm
 * watchdog), so the first packet to the VIP finds the table ready. {@link #onInactive} runs after
 * the VIPs went down. An exception thrown by a listener is logged and counted, never fatal.
 */
public interface FailoverListener {
  /** This director is now active: program IPVS. */
  void onActive();

  /** This director is now inactive, for {@code reason} (e.g. "partner (primary) active"). */
  void onInactive(String reason);

  /** A listener that does nothing. */
  static FailoverListener none() {
    return new FailoverListener() {
      @Override
      public void onActive() {}

      @Override
      public void onInactive(String reason) {}
    };
  }
}
