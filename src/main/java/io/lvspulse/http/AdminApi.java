package io.lvspulse.http;

import io.lvspulse.admin.AdminControl;
import io.lvspulse.admin.AdminReply;
import io.lvspulse.admin.ApiToken;
import io.lvspulse.admin.PartnerRelay;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.net.Addresses;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP admin API: {@code POST /api/v1/virtual/VIRTUAL/server/SERVER/drain|maintenance|enable}
 * and {@code GET /api/v1/auth} (whether a token is accepted: the web page asks before it shows its
 * buttons). Every request needs {@code Authorization: Bearer TOKEN} with the token of the root-only
 * token file:
 *
 * <ul>
 *   <li>no {@code Authorization} header, or not a bearer one: 401 with {@code WWW-Authenticate};
 *   <li>a wrong token, or no token configured (the API is off): 403;
 * </ul>
 *
 * and a refused request changes nothing. A bearer token in a header (not a cookie) cannot be sent
 * by another site's page, so the API needs no CSRF token; it answers no CORS preflight. Answers are
 * JSON.
 */
public final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  static final String PREFIX = "/api/v1/";

  private final AdminControl control;
  private final Supplier<Optional<ApiToken>> token;

  /**
   * @param control applies a change
   * @param token the configured token, if any (read per request: a reload may change it)
   */
  public AdminApi(AdminControl control, Supplier<Optional<ApiToken>> token) {
    this.control = Objects.requireNonNull(control);
    this.token = Objects.requireNonNull(token);
  }

  /** Whether a token is configured (the page shows its login only then). */
  public boolean enabled() {
    return token.get().isPresent();
  }

  /** Answers one request under {@code /api/}. */
  public WebResponse handle(WebRequest r) {
    String rest = r.rawPath().startsWith(PREFIX) ? r.rawPath().substring(PREFIX.length()) : "";
    List<String> seg = List.of(rest.split("/", -1));
    boolean auth = seg.size() == 1 && seg.get(0).equals("auth");
    boolean change = seg.size() == 5 && seg.get(0).equals("virtual") && seg.get(2).equals("server");
    if (!auth && !change) {
      return json(
          404, Map.of("error", "no such API: try POST " + PREFIX + "virtual/V/server/S/drain"));
    }
    String method = r.method();
    if (auth && !method.equals("GET")) {
      return json(405, Map.of("error", "use GET")).withHeader("Allow", "GET");
    }
    if (change && !method.equals("POST")) {
      return json(405, Map.of("error", "use POST")).withHeader("Allow", "POST");
    }
    Optional<WebResponse> refused = authorize(r);
    if (refused.isPresent()) {
      return refused.get();
    }
    if (auth) {
      return new WebResponse(204, "text/plain; charset=utf-8", new byte[0], Map.of());
    }
    Optional<AdminState> state =
        switch (seg.get(4)) {
          case "drain" -> Optional.of(AdminState.DRAIN);
          case "maintenance" -> Optional.of(AdminState.MAINTENANCE);
          case "enable" -> Optional.of(AdminState.ENABLED);
          default -> Optional.empty();
        };
    if (state.isEmpty()) {
      return json(404, Map.of("error", "the action is drain, maintenance or enable"));
    }
    String virtual;
    String server;
    try {
      virtual = URLDecoder.decode(seg.get(1), StandardCharsets.UTF_8);
      server = URLDecoder.decode(seg.get(3), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return json(400, Map.of("error", "bad percent-encoding in the path"));
    }
    AdminReply a =
        control.change(
            virtual, server, state.get(), "http " + Addresses.canonical(r.remote().getAddress()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", a.status().label());
    m.put("server", a.server().map(Object::toString).orElse(null));
    m.put("admin", a.admin().map(x -> x.state().label()).orElse(null));
    m.put("since", a.admin().map(x -> x.since().toString()).orElse(null));
    m.put("partner", a.partner().map(PartnerRelay.Outcome::label).orElse(null));
    m.put("saved", a.saved());
    m.put("message", a.message());
    return json(a.status().http(), m);
  }

  /** Empty when the request carries the configured token; otherwise the 401 or 403 answer. */
  private Optional<WebResponse> authorize(WebRequest r) {
    Optional<String> h = r.header("Authorization");
    String who = Addresses.canonical(r.remote().getAddress());
    if (h.isEmpty() || !h.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      log.warn("http API: request from {} without a bearer token: refused (401)", who);
      return Optional.of(
          json(401, Map.of("error", "authorisation required: Authorization: Bearer TOKEN"))
              .withHeader("WWW-Authenticate", "Bearer realm=\"lvs-pulse\""));
    }
    Optional<ApiToken> t = token.get();
    if (t.isEmpty()) {
      log.warn("http API: request from {} refused (403): the API is off (no token file)", who);
      return Optional.of(
          json(403, Map.of("error", "the HTTP API is off on this director: no token file")));
    }
    if (!t.get().matches(h.get().substring(7).strip())) {
      log.warn("http API: request from {} with a wrong token: refused (403)", who);
      return Optional.of(json(403, Map.of("error", "wrong token")));
    }
    return Optional.empty();
  }

  static WebResponse json(int status, Map<String, ?> body) {
    return WebResponse.text(status, "application/json", Json.write(body))
        .withHeader("X-Content-Type-Options", "nosniff");
  }
}
