package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's connection counters per destination, as {@code ipvsadm -L -n} lists them: {@code
 * ActiveConn} (TCP connections in ESTABLISHED) and {@code InActConn} (every other entry: TCP
 * connections closing or in TIME_WAIT, and every UDP flow, which IPVS never counts as active and
 * keeps until the UDP timeout after its last packet). Persistence templates are in neither.
 *
 * @param byService the counters of every destination of every service
 */
public record IpvsConnections(Map<ServiceKey, Map<InetSocketAddress, Counts>> byService) {

  /** No service, no destination. */
  public static final IpvsConnections NONE = new IpvsConnections(Map.of());

  public IpvsConnections {
    Map<ServiceKey, Map<InetSocketAddress, Counts>> copy = new LinkedHashMap<>();
    byService.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    byService = java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * One destination's counters.
   *
   * @param active {@code ActiveConn}
   * @param inactive {@code InActConn}
   */
  public record Counts(long active, long inactive) {
    /** No connection at all. */
    public static final Counts ZERO = new Counts(0, 0);

    /** Every entry the kernel keeps for it. */
    public long total() {
      return active + inactive;
    }
  }

  /** The counters of destination {@code dest} of service {@code key}, if it is in the table. */
  public Optional<Counts> of(ServiceKey key, InetSocketAddress dest) {
    Map<InetSocketAddress, Counts> m = byService.get(key);
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(dest));
  }
}
