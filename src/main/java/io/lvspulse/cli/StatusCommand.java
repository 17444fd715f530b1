package io.lvspulse.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lvs-pulse status}: the running daemon's /status as a table (or raw JSON). */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Print a running daemon's state: every virtual service and real server with its health,"
          + " IPVS weight, since when, and the last probe result and round-trip time.",
      "Exit 0 on success, 1 when the daemon cannot be reached."
    })
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:9539",
      description = "the daemon's HTTP address (its --listen; default: ${DEFAULT-VALUE})")
  String url;

  @Option(names = "--json", description = "print the /status JSON document instead of a table")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    URI uri = URI.create(base + (json ? "/status" : "/status?format=text"));
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        err.println(
            "lvs-pulse status: "
                + uri
                + " answered HTTP "
                + r.statusCode()
                + ": "
                + r.body().strip());
        return 1;
      }
      out.print(r.body());
      out.flush();
      return 0;
    } catch (IOException e) {
      err.println(
          "lvs-pulse status: cannot reach "
              + uri
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + " (is `lvs-pulse run` running, with this --listen address?)");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
