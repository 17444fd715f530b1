package io.lvspulse.http;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request as the daemon's handlers see it, whatever HTTP server carries it (the handlers build a
 * {@link WebResponse} and never touch the server's own types, so they move with the server).
 *
 * @param method {@code GET}, {@code POST}, ...
 * @param path the decoded path, e.g. {@code /api/v1/virtual/tftp/server/ftp2/drain}
 * @param rawPath the path as sent (percent-encoded), for splitting into segments
 * @param headers header names in lower case, first value of each
 * @param remote the client's address
 */
public record WebRequest(
    String method,
    String path,
    String rawPath,
    Map<String, String> headers,
    InetSocketAddress remote) {

  public WebRequest {
    Map<String, String> lower = new java.util.HashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    headers = Map.copyOf(lower);
  }

  /** The first value of header {@code name} (any case). */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }
}
