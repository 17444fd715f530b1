package io.lvspulse.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoints on the JDK's HttpServer: {@code /metrics} (Prometheus text), {@code
 * /status} (JSON; {@code ?format=text} for a table, {@code ?compact=1} on one line), {@code
 * /healthz} ({@code ok}), the live status page {@code /} with its assets ({@link WebPage}) and the
 * admin API under {@code /api/v1/} ({@link AdminApi}; POST with a bearer token). Everything else is
 * GET and HEAD only. The page and the API are server-agnostic handlers ({@link WebRequest} in,
 * {@link WebResponse} out); this class only adapts them to the server.
 *
 * <p>Hostile or broken clients cannot starve it or the daemon ({@link #LIMITS}): at most {@value
 * #MAX_CONNECTIONS} connections are open at once (more are closed as they are accepted, so a flood
 * of idle connections cannot take the descriptors the probes need); a request must arrive whole
 * within 5 s and a response be taken within 10 s, else the connection is closed; an idle connection
 * is closed after 10 s; headers are bounded. The JDK server reads a request on a worker thread once
 * its first byte arrives, so a client that sends half a request holds a worker until the 5 s bound:
 * {@value #WORKERS} workers keep a few such clients from blocking anyone else. These are the JDK's
 * {@code jdk.httpserver.*} and {@code sun.net.httpserver.*} system properties, read once per JVM by
 * the first HttpServer; a value given with {@code -D} wins.
 */
public final class StatusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusServer.class);

  /** Most connections open at once (the JDK's {@code jdk.httpserver.maxConnections}). */
  public static final int MAX_CONNECTIONS = 100;

  /** Worker threads that read requests and write answers. */
  public static final int WORKERS = 8;

  /** The JDK HttpServer's limits lvs-pulse sets unless the JVM was given them with {@code -D}. */
  public static final Map<String, String> LIMITS =
      Map.of(
          "jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS),
          "sun.net.httpserver.maxReqTime", "5", // seconds to receive a whole request
          "sun.net.httpserver.maxRspTime", "10", // seconds for the client to take the answer
          "sun.net.httpserver.idleInterval", "10", // seconds an idle connection stays open
          "sun.net.httpserver.clockTick", "1000", // ms between two checks for idle connections
          "sun.net.httpserver.maxIdleConnections", "16",
          "sun.net.httpserver.maxReqHeaders", "64",
          "sun.net.httpserver.maxReqHeaderSize", "16384");

  static {
    LIMITS.forEach(
        (k, v) -> {
          if (System.getProperty(k) == null) {
            System.setProperty(k, v);
          }
        });
  }

  private final HttpServer server;
  private final ExecutorService executor;

  public StatusServer(
      InetSocketAddress listen, Supplier<String> metrics, Supplier<StatusRenderer.Status> status)
      throws IOException {
    this(listen, metrics, status, null);
  }

  /**
   * @param api the admin API; null answers every {@code /api/} request 403 (off)
   */
  public StatusServer(
      InetSocketAddress listen,
      Supplier<String> metrics,
      Supplier<StatusRenderer.Status> status,
      @Nullable AdminApi api)
      throws IOException {
    AdminApi adminApi =
        api != null
            ? api
            : new AdminApi(
                (v, srv, st, by) -> {
                  throw new IllegalStateException("the HTTP API is off");
                },
                java.util.Optional::empty);
    server = HttpServer.create(listen, 64);
    executor =
        Executors.newFixedThreadPool(
            WORKERS,
            r -> {
              Thread t = new Thread(r, "lvs-pulse-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/metrics", ex -> handle(ex, "text/plain; version=0.0.4; charset=utf-8", metrics::get));
    server.createContext(
        "/status",
        ex -> {
          String q = ex.getRequestURI().getRawQuery();
          boolean text = q != null && q.contains("format=text");
          boolean compact = q != null && q.contains("compact=1");
          handle(
              ex,
              text ? "text/plain; charset=utf-8" : "application/json",
              () ->
                  text
                      ? StatusRenderer.text(status.get())
                      : StatusRenderer.json(status.get(), compact));
        });
    server.createContext("/healthz", ex -> handle(ex, "text/plain; charset=utf-8", () -> "ok\n"));
    server.createContext(
        "/api/",
        ex -> {
          try (ex) {
            send(ex, adminApi.handle(request(ex)));
          } catch (RuntimeException e) {
            log.warn("http API: {}", e.toString());
            send(ex, 500, "text/plain; charset=utf-8", "internal error\n");
          }
        });
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          if (!WebPage.serves(path)) {
            try (ex) {
              send(
                  ex,
                  404,
                  "text/plain; charset=utf-8",
                  "not found: try /, /status, /metrics or /healthz\n");
            }
            return;
          }
          try (ex) {
            if (refusedMethod(ex)) {
              return;
            }
            send(ex, WebPage.get(path).orElseThrow());
          }
        });
  }

  /** Starts serving. */
  public void start() {
    server.start();
    log.info("http: serving / (status page) /status /metrics /healthz /api/v1/ on {}", address());
  }

  /** The bound address (useful with port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Answers 405 to anything but GET and HEAD; true when it did. */
  private static boolean refusedMethod(HttpExchange ex) throws IOException {
    String m = ex.getRequestMethod();
    if ("GET".equals(m) || "HEAD".equals(m)) {
      return false;
    }
    ex.getResponseHeaders().add("Allow", "GET, HEAD");
    send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return true;
  }

  private static void handle(HttpExchange ex, String type, Supplier<String> body)
      throws IOException {
    try (ex) {
      if (refusedMethod(ex)) {
        return;
      }
      String b;
      try {
        b = body.get();
      } catch (RuntimeException e) {
        log.warn(
            "http {}: {}",
            io.lvspulse.logging.LogSafe.escape(String.valueOf(ex.getRequestURI())),
            e.toString());
        send(ex, 503, "text/plain; charset=utf-8", "unavailable: " + e.getMessage() + "\n");
        return;
      }
      send(ex, 200, type, b);
    }
  }

  private static WebRequest request(HttpExchange ex) {
    java.util.Map<String, String> headers = new java.util.HashMap<>();
    ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.isEmpty() ? "" : v.get(0)));
    return new WebRequest(
        ex.getRequestMethod(),
        ex.getRequestURI().getPath(),
        ex.getRequestURI().getRawPath(),
        headers,
        ex.getRemoteAddress());
  }

  private static void send(HttpExchange ex, WebResponse r) throws IOException {
    r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    if (!r.headers().containsKey("Cache-Control")) {
      ex.getResponseHeaders().set("Cache-Control", "no-store");
    }
    byte[] bytes = r.body();
    if ("HEAD".equals(ex.getRequestMethod()) || r.status() == 204) {
      ex.sendResponseHeaders(r.status(), -1);
      return;
    }
    ex.sendResponseHeaders(r.status(), bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.sendResponseHeaders(code, -1);
      return;
    }
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
