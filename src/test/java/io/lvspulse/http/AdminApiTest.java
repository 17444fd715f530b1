package io.lvspulse.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.admin.AdminControl;
import io.lvspulse.admin.AdminReply;
import io.lvspulse.admin.ApiToken;
import io.lvspulse.admin.PartnerRelay;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API and the page through the daemon's real HTTP server (in process). */
class AdminApiTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

  private final List<String> changes = new CopyOnWriteArrayList<>();
  private final AtomicReference<Optional<ApiToken>> token =
      new AtomicReference<>(Optional.of(ApiToken.of(TOKEN)));
  private final HttpClient client = HttpClient.newHttpClient();
  private StatusServer server;

  private final AdminControl control =
      (virtual, srv, state, by) -> {
        changes.add(virtual + " " + srv + " " + state.label() + " " + by);
        try {
          return new AdminReply(
              AdminReply.Status.OK,
              "tftp/10.0.0.3:69: " + state.label(),
              Optional.of(ServerId.of("tftp", InetAddress.getByName("10.0.0.3"), 69)),
              Optional.of(new Admin(state, T0, by, Optional.empty())),
              Optional.of(PartnerRelay.Outcome.NO_PARTNER),
              true);
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      };

  @BeforeEach
  void start() throws Exception {
    var config = new LvsConfigParser().parse("t.cf", "network = direct\n").config();
    StatusRenderer.Status status =
        new StatusRenderer.Status(
            "dev",
            "/etc/lvs.cf",
            T0,
            new StatusRenderer.Director.Standalone(true),
            new StatusRenderer.IpvsInfo(
                "dry-run", true, true, Optional.empty(), Optional.empty(), List.of()),
            new MonitorSnapshot(config, List.of(), T0, T0));
    server =
        new StatusServer(
            new InetSocketAddress("127.0.0.1", 0),
            () -> "",
            () -> status,
            new AdminApi(control, token::get));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final String DRAIN = "/api/v1/virtual/tftp/server/ftp2/drain";

  @Test
  void the_right_bearer_token_changes_the_state_and_the_answer_says_how() throws Exception {
    HttpResponse<String> r = send("POST", DRAIN, "Bearer " + TOKEN);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(r.body())
        .contains("\"status\": \"ok\"", "\"admin\": \"drain\"", "\"partner\": \"no_partner\"");
    assertThat(changes).containsExactly("tftp ftp2 drain http 127.0.0.1");
  }

  @Test
  void no_token_is_401_with_a_bearer_challenge_and_changes_nothing() throws Exception {
    HttpResponse<String> r = send("POST", DRAIN, null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"lvs-pulse\"");
    assertThat(send("POST", DRAIN, "Basic dXNlcjpwYXNz").statusCode()).isEqualTo(401);
    assertThat(changes).isEmpty();
  }

  @Test
  void a_wrong_token_is_403_and_changes_nothing() throws Exception {
    assertThat(send("POST", DRAIN, "Bearer " + TOKEN + "x").statusCode()).isEqualTo(403);
    assertThat(send("POST", DRAIN, "Bearer ").statusCode())
        .as("an empty token: none")
        .isEqualTo(401);
    assertThat(send("GET", "/api/v1/auth", "Bearer nope").statusCode()).isEqualTo(403);
    assertThat(changes).isEmpty();
  }

  @Test
  void without_a_token_file_the_api_is_off_even_for_a_token() throws Exception {
    token.set(Optional.empty());
    HttpResponse<String> r = send("POST", DRAIN, "Bearer " + TOKEN);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("the HTTP API is off on this director");
    assertThat(changes).isEmpty();
  }

  @Test
  void auth_answers_204_for_the_right_token() throws Exception {
    assertThat(send("GET", "/api/v1/auth", "Bearer " + TOKEN).statusCode()).isEqualTo(204);
    assertThat(send("GET", "/api/v1/auth", null).statusCode()).isEqualTo(401);
  }

  @Test
  void a_change_is_post_only_and_unknown_paths_are_404() throws Exception {
    HttpResponse<String> get = send("GET", DRAIN, "Bearer " + TOKEN);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).contains("POST");
    assertThat(
            send("POST", "/api/v1/virtual/tftp/server/ftp2/reboot", "Bearer " + TOKEN).statusCode())
        .isEqualTo(404);
    assertThat(send("POST", "/api/v2/x", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
    assertThat(changes).isEmpty();
  }

  @Test
  void names_are_percent_decoded() throws Exception {
    send(
        "POST",
        "/api/v1/virtual/my%20tftp/server/%5B2001%3Adb8%3A%3A2%5D%3A69/enable",
        "Bearer " + TOKEN);
    assertThat(changes).containsExactly("my tftp [2001:db8::2]:69 enabled http 127.0.0.1");
  }

  @Test
  void the_page_and_its_assets_come_with_a_strict_csp_and_nothing_external() throws Exception {
    HttpResponse<String> page = send("GET", "/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            csp ->
                assertThat(csp)
                    .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval"));
    assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(page.body()).contains("<script src=\"/ui/app.js\" defer></script>");
    for (String asset : List.of("/", "/ui/app.js", "/ui/app.css")) {
      HttpResponse<String> r = send("GET", asset, null);
      assertThat(r.statusCode()).as(asset).isEqualTo(200);
      assertThat(r.body())
          .as(asset + " loads nothing from elsewhere")
          .doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}")
          .doesNotContain("@import", "style=\"", "onclick=", "eval(", "innerHTML");
    }
    assertThat(send("GET", "/ui/nope.js", null).statusCode()).isEqualTo(404);
    assertThat(send("POST", "/", null).statusCode()).isEqualTo(405);
  }

  @Test
  void compact_status_is_one_line_of_the_same_document() throws Exception {
    String compact = send("GET", "/status?compact=1", null).body();
    String pretty = send("GET", "/status", null).body();
    assertThat(compact.strip()).doesNotContain("\n");
    assertThat(io.lvspulse.testing.MiniJson.parse(compact))
        .isEqualTo(io.lvspulse.testing.MiniJson.parse(pretty));
  }
}
