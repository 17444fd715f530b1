package io.lvspulse.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Global {@code nat_router = IP DEVICE}: the real servers' gateway address brought up in NAT mode.
 */
public record NatRouter(InetAddress address, String device) {
  public NatRouter {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(device, "device");
  }
}
