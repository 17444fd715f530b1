package io.lvspulse.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The live status page: {@code GET /} and its two assets {@code /ui/app.js} and {@code
 * /ui/app.css}, all in the jar (no CDN, no external asset: it works on an isolated director
 * network). The script polls {@code /status?compact=1} and updates the page in place; it is
 * read-only unless the operator enters the API token (then it shows drain, maintenance and enable
 * buttons that call {@link AdminApi}).
 *
 * <p>Every answer carries a strict Content-Security-Policy: scripts, styles and requests only from
 * the daemon itself, no inline script or style, no {@code eval}, no framing, no form submission.
 */
public final class WebPage {
  /** The Content-Security-Policy of every page answer. */
  public static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
          + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final Map<String, Asset> ASSETS = new LinkedHashMap<>();

  private record Asset(String type, byte[] bytes) {}

  static {
    ASSETS.put("/", load("index.html", "text/html; charset=utf-8"));
    ASSETS.put("/ui/app.js", load("app.js", "text/javascript; charset=utf-8"));
    ASSETS.put("/ui/app.css", load("app.css", "text/css; charset=utf-8"));
  }

  private WebPage() {}

  private static Asset load(String name, String type) {
    try (InputStream in = WebPage.class.getResourceAsStream("ui/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/lvspulse/http/ui/" + name);
      }
      return new Asset(type, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code path} is the page or one of its assets. */
  public static boolean serves(String path) {
    return ASSETS.containsKey(path);
  }

  /** The page or asset at {@code path} (GET or HEAD), with its security headers. */
  public static Optional<WebResponse> get(String path) {
    Asset a = ASSETS.get(path);
    if (a == null) {
      return Optional.empty();
    }
    return Optional.of(secured(new WebResponse(200, a.type(), a.bytes(), Map.of())));
  }

  /** {@code r} with the page's security headers. */
  static WebResponse secured(WebResponse r) {
    return r.withHeader("Content-Security-Policy", CSP)
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("X-Frame-Options", "DENY")
        .withHeader("Referrer-Policy", "no-referrer")
        .withHeader("Cache-Control", "no-cache");
  }
}
