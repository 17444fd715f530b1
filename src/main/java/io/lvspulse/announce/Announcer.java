package io.lvspulse.announce;

import java.util.Collection;

/**
 * Tells the upstream router, through a routing daemon, which VIPs this director serves. Every call
 * is bounded by a timeout; a routing daemon that is down, restarting or refusing is an {@link
 * AnnounceException}, never a hang. Calls are idempotent: announcing an announced VIP is a no-op.
 */
public interface Announcer extends AutoCloseable {

  /** A short description for logs and /status, e.g. {@code bird /run/bird/bird.ctl}. */
  String describe();

  /** The state of {@code routes} and of the BGP sessions. */
  RoutingState state(Collection<VipRoute> routes) throws AnnounceException;

  /** Starts announcing {@code route}. */
  void announce(VipRoute route) throws AnnounceException;

  /** Stops announcing {@code route}. */
  void withdraw(VipRoute route) throws AnnounceException;

  /** Releases the connection to the routing daemon (announcements stay as they are). */
  @Override
  void close();
}
