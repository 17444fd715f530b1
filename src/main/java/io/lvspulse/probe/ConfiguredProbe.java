package io.lvspulse.probe;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The probe built for one real server, with what it is for logs and {@code /status}.
 *
 * @param kind which checker runs, as the {@link ProbeKind} that built it names it ({@code tftp},
 *     {@code program}, {@code tcp}, {@code udp})
 * @param description one line such as {@code tftp connect 10.0.0.2:69}, {@code exec
 *     /usr/lib/nagios/plugins/check_dns -H example.org -s 10.3.0.1} or {@code tcp 10.2.0.11:80
 *     send/expect}
 * @param probe the probe itself
 */
public record ConfiguredProbe(String kind, String description, Probe probe) implements Probe {
  public ConfiguredProbe {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(probe, "probe");
  }

  @Override
  public CompletableFuture<ProbeResult> start() {
    return probe.start();
  }

  @Override
  public String toString() {
    return kind + " " + description;
  }
}
