package io.lvspulse.monitor;

import io.lvspulse.net.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Identifies one monitored real server across reloads: the virtual service's block name and the
 * real server's address and port (block names of real servers are only labels, as in Piranha).
 */
public record ServerId(String virtual, InetSocketAddress address) implements Comparable<ServerId> {

  public static ServerId of(String virtual, InetAddress address, int port) {
    return new ServerId(virtual, new InetSocketAddress(address, port));
  }

  /** {@code virtual/10.0.0.2:69} — the job name in Quartz and the label in logs. */
  @Override
  public String toString() {
    return virtual + "/" + Addresses.canonical(address);
  }

  @Override
  public int compareTo(ServerId o) {
    return toString().compareTo(o.toString());
  }
}
