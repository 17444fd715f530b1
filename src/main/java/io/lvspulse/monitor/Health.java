package io.lvspulse.monitor;

/** What lvs-pulse believes about one real server. */
public enum Health {
  /** Not probed successfully yet since start (or since it was added by a reload): never in IPVS. */
  UNKNOWN,
  /** Healthy: in IPVS with its (possibly still ramping) weight. */
  UP,
  /** Failed: removed from IPVS, or kept at weight 0 when the virtual service quiesces. */
  DOWN;

  /** Lower-case name used in logs, metrics and /status. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
