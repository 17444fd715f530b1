package io.lvspulse.announce;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link Announcer} over BIRD 2: one {@code protocol static} per VIP (named by {@link
 * VipRoute#of}), declared {@code disabled} in bird.conf, switched with {@code enable NAME} and
 * {@code disable NAME}; state read with one {@code show protocols}.
 *
 * <p>Replies relied on (BIRD 2.0.12): {@code 0011 NAME: enabled} / {@code 0010 NAME: already
 * enabled}, {@code 0009 NAME: disabled} / {@code 0008 NAME: already disabled}; a name BIRD does not
 * know is a parse error ({@code 9001 syntax error, unexpected CF_SYM_UNDEFINED}). {@code show
 * protocols} answers a {@code 2002} heading and one {@code 1002} row per protocol: {@code Name
 * Proto Table State Since Info}, where State is {@code up}, {@code down}, {@code start}, {@code
 * stop} or {@code flush} and a BGP session's Info starts with {@code Established} once it is.
 */
public final class BirdAnnouncer implements Announcer {
  private final BirdControl control;

  public BirdAnnouncer(BirdControl control) {
    this.control = Objects.requireNonNull(control);
  }

  @Override
  public String describe() {
    return "bird " + control.socket();
  }

  /**
   * One row of {@code show protocols}.
   *
   * @param name the protocol's name
   * @param proto its kind: {@code Static}, {@code BGP}, {@code Device}, ...
   * @param state {@code up}, {@code down}, {@code start}, {@code stop} or {@code flush}
   * @param info the rest of the row after the state (the "since" time and the info column)
   */
  public record Row(String name, String proto, String state, String info) {}

  /** Parses the rows of a {@code show protocols} reply. */
  public static List<Row> parseProtocols(BirdReply reply) throws AnnounceException {
    if (!reply.ok()) {
      throw new AnnounceException("BIRD refused `show protocols`: " + reply.describe());
    }
    List<Row> rows = new ArrayList<>();
    for (String text : reply.texts(1002)) {
      String[] t = text.strip().split("\\s+", 5);
      if (t.length < 4) {
        throw new AnnounceException("BIRD: unexpected `show protocols` row: '" + text + "'");
      }
      rows.add(new Row(t[0], t[1], t[3].toLowerCase(Locale.ROOT), t.length > 4 ? t[4] : ""));
    }
    return rows;
  }

  @Override
  public RoutingState state(Collection<VipRoute> routes) throws AnnounceException {
    List<Row> rows = parseProtocols(control.command("show protocols"));
    Map<String, Row> byName = new LinkedHashMap<>();
    List<RoutingState.Session> sessions = new ArrayList<>();
    for (Row r : rows) {
      byName.put(r.name(), r);
      if (r.proto().equalsIgnoreCase("BGP")) {
        boolean established =
            r.state().equals("up") && List.of(r.info().split("\\s+")).contains("Established");
        String info =
            r.info().replaceFirst("^\\S+(\\s+\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?)?\\s*", "").strip();
        sessions.add(
            new RoutingState.Session(r.name(), established, info.isEmpty() ? r.state() : info));
      }
    }
    Map<VipRoute, RoutingState.RouteState> states = new LinkedHashMap<>();
    for (VipRoute v : routes) {
      Row r = byName.get(v.protocol());
      states.put(v, r == null ? RoutingState.RouteState.MISSING : routeState(r.state()));
    }
    return new RoutingState(states, sessions);
  }

  private static RoutingState.RouteState routeState(String state) {
    return switch (state) {
      case "up" -> RoutingState.RouteState.ANNOUNCED;
      case "down" -> RoutingState.RouteState.WITHDRAWN;
      default -> RoutingState.RouteState.CHANGING;
    };
  }

  @Override
  public void announce(VipRoute route) throws AnnounceException {
    expect(route, "enable", 11, 10);
  }

  @Override
  public void withdraw(VipRoute route) throws AnnounceException {
    expect(route, "disable", 9, 8);
  }

  private void expect(VipRoute route, String verb, int done, int already) throws AnnounceException {
    BirdReply r = control.command(verb + " " + route.protocol());
    // BIRD 2 answers "0011-vip_x: enabled" then "0000"; a single "0011 vip_x: enabled" is fine too.
    if (r.ok() && (!r.texts(done).isEmpty() || !r.texts(already).isEmpty())) {
      return;
    }
    if (r.code() == 9001 && r.message().contains("CF_SYM_UNDEFINED")) {
      throw new AnnounceException(
          "BIRD has no protocol "
              + route.protocol()
              + " for VIP "
              + route.address()
              + ": add it to bird.conf (`lvs-pulse announce --print-bird-config` prints the"
              + " protocols)");
    }
    throw new AnnounceException(
        "BIRD refused `" + verb + " " + route.protocol() + "`: " + r.describe());
  }

  @Override
  public void close() {
    control.close();
  }
}
