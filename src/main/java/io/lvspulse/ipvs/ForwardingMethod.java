package io.lvspulse.ipvs;

/** How the director forwards packets to a real server; Piranha's {@code lvs_type}. */
public enum ForwardingMethod {
  /** Direct routing ({@code -g}, lvs.cf {@code direct}); shown as "Route". */
  ROUTE("-g", "Route"),
  /** IP-in-IP tunnelling ({@code -i}, lvs.cf {@code tunnel}); shown as "Tunnel". */
  TUNNEL("-i", "Tunnel"),
  /** NAT ({@code -m}, lvs.cf {@code nat}); shown as "Masq" (or "Local" for a local address). */
  MASQ("-m", "Masq");

  private final String flag;
  private final String procName;

  ForwardingMethod(String flag, String procName) {
    this.flag = flag;
    this.procName = procName;
  }

  /** {@code -g}, {@code -i} or {@code -m}. */
  public String flag() {
    return flag;
  }

  /** The name in {@code ipvsadm -L} and {@code /proc/net/ip_vs}. */
  public String procName() {
    return procName;
  }
}
