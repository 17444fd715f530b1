package io.lvspulse.announce;

import java.util.List;
import java.util.Map;

/**
 * What the routing daemon reports at one moment.
 *
 * @param routes the state of each VIP route asked about
 * @param sessions the routing daemon's BGP sessions
 */
public record RoutingState(Map<VipRoute, RouteState> routes, List<Session> sessions) {

  /** One VIP route's state in the routing daemon. */
  public enum RouteState {
    /** Originated and exported to the router (BIRD: the static protocol is {@code up}). */
    ANNOUNCED,
    /** Not originated (BIRD: the protocol is {@code down}, i.e. disabled). */
    WITHDRAWN,
    /** Between the two (BIRD: {@code start}, {@code stop} or {@code flush}). */
    CHANGING,
    /** The routing daemon has no such object: its configuration lacks the VIP. */
    MISSING;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One BGP session.
   *
   * @param name the routing daemon's name for it
   * @param established whether it is {@code Established}
   * @param info the state as the routing daemon prints it, e.g. {@code Established} or {@code
   *     Active Socket: Connection refused}
   */
  public record Session(String name, boolean established, String info) {}

  public RoutingState {
    routes = Map.copyOf(routes);
    sessions = List.copyOf(sessions);
  }

  /** The state of {@code route} ({@link RouteState#MISSING} if it was not asked about). */
  public RouteState route(VipRoute route) {
    return routes.getOrDefault(route, RouteState.MISSING);
  }

  /** True when at least one BGP session is established. */
  public boolean anyEstablished() {
    return sessions.stream().anyMatch(Session::established);
  }
}
