package io.lvspulse.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoints on the JDK's HttpServer: {@code /metrics} (Prometheus text), {@code
 * /status} (JSON; {@code ?format=text} for a table) and {@code /healthz} ({@code ok}). GET and HEAD
 * only; two worker threads.
 */
public final class StatusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  public StatusServer(
      InetSocketAddress listen, Supplier<String> metrics, Supplier<StatusRenderer.Status> status)
      throws IOException {
    server = HttpServer.create(listen, 64);
    executor =
        Executors.newFixedThreadPool(
            2,
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
          handle(
              ex,
              text ? "text/plain; charset=utf-8" : "application/json",
              () -> text ? StatusRenderer.text(status.get()) : StatusRenderer.json(status.get()));
        });
    server.createContext("/healthz", ex -> handle(ex, "text/plain; charset=utf-8", () -> "ok\n"));
    server.createContext(
        "/",
        ex -> {
          if (!"/".equals(ex.getRequestURI().getPath())) {
            send(
                ex,
                404,
                "text/plain; charset=utf-8",
                "not found: try /status, /metrics or /healthz\n");
          } else {
            handle(
                ex,
                "text/plain; charset=utf-8",
                () -> "lvs-pulse: /status /status?format=text /metrics /healthz\n");
          }
        });
  }

  /** Starts serving. */
  public void start() {
    server.start();
    log.info("http: serving /metrics /status /healthz on {}", address());
  }

  /** The bound address (useful with port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void handle(HttpExchange ex, String type, Supplier<String> body)
      throws IOException {
    try (ex) {
      String m = ex.getRequestMethod();
      if (!"GET".equals(m) && !"HEAD".equals(m)) {
        ex.getResponseHeaders().add("Allow", "GET, HEAD");
        send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      String b;
      try {
        b = body.get();
      } catch (RuntimeException e) {
        log.warn(
            "http {}: {}",
            io.lvspulse.log.LogSafe.escape(String.valueOf(ex.getRequestURI())),
            e.toString());
        send(ex, 503, "text/plain; charset=utf-8", "unavailable: " + e.getMessage() + "\n");
        return;
      }
      send(ex, 200, type, b);
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
