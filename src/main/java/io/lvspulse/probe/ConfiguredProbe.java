package io.lvspulse.probe;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The probe {@link ProbeFactory} built for one (virtual service, real server), with what it is for
 * logs and {@code /status}.
 *
 * @param kind which checker runs
 * @param description one line such as {@code tftp connect 10.0.0.2:69}, {@code exec
 *     /usr/lib/nagios/plugins/check_dns -H example.org -s 10.3.0.1} or {@code tcp 10.2.0.11:80
 *     send/expect}
 * @param probe the probe itself
 */
public record ConfiguredProbe(Kind kind, String description, Probe probe) implements Probe {
  /** The closed set of checker kinds. */
  public enum Kind {
    /** The native TFTP probe, chosen for a {@code check_tftp} {@code send_program}. */
    TFTP,
    /** Any other {@code send_program}, run as an external program. */
    PROGRAM,
    /** nanny's built-in TCP probe. */
    TCP,
    /** nanny's built-in UDP probe. */
    UDP
  }

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
