package io.lvspulse.ipvs;

import java.time.Duration;
import java.util.List;

/**
 * The kernel's connection timeouts ({@code ipvsadm --set TCP TCPFIN UDP}); zero leaves one
 * unchanged, as Piranha's {@code --set 0 0 0}.
 */
public record IpvsTimeouts(Duration tcp, Duration tcpFin, Duration udp) {
  /** Leaves every timeout as it is. */
  public static final IpvsTimeouts UNCHANGED =
      new IpvsTimeouts(Duration.ZERO, Duration.ZERO, Duration.ZERO);

  public IpvsTimeouts {
    for (Duration d : List.of(tcp, tcpFin, udp)) {
      if (d.isNegative() || d.toNanos() % 1_000_000_000L != 0) {
        throw new IllegalArgumentException("timeouts are whole seconds >= 0: " + d);
      }
    }
  }

  /** {@code --set TCP TCPFIN UDP} in seconds. */
  public List<String> args() {
    return List.of(
        "--set",
        Long.toString(tcp.toSeconds()),
        Long.toString(tcpFin.toSeconds()),
        Long.toString(udp.toSeconds()));
  }
}
