package io.lvspulse.ipvs;

import java.net.InetSocketAddress;

/**
 * One real server of a virtual service.
 *
 * <p>The port is part of the kernel's identity of a destination even for firewall-mark services
 * with direct routing, where it is otherwise unused: {@code -a -f 1 -r 10.0.0.2:69} and {@code -a
 * -f 1 -r 10.0.0.2} (shown as {@code 10.0.0.2:0}) are two destinations (checked on a 6.1 kernel).
 *
 * @param address real server IP (a literal) and port
 * @param method forwarding method
 * @param weight weight, 0 = quiesced (no new connections)
 */
public record IpvsDestination(InetSocketAddress address, ForwardingMethod method, int weight) {
  public IpvsDestination {
    IpAddresses.requireLiteral(address);
    if (weight < 0) {
      throw new IllegalArgumentException("weight < 0: " + weight);
    }
  }

  /** This destination with another weight. */
  public IpvsDestination withWeight(int newWeight) {
    return new IpvsDestination(address, method, newWeight);
  }
}
