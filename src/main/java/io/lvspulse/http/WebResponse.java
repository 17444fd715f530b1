package io.lvspulse.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response of the daemon's handlers ({@link WebRequest}).
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}
 * @param body the body
 * @param headers further headers (security headers, {@code WWW-Authenticate}, {@code Allow})
 */
public record WebResponse(
    int status, String contentType, byte[] body, Map<String, String> headers) {

  public WebResponse {
    body = body.clone();
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** A UTF-8 text response. */
  public static WebResponse text(int status, String contentType, String body) {
    return new WebResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** This response with one more header. */
  public WebResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new WebResponse(status, contentType, body, h);
  }
}
