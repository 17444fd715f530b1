package io.lvspulse.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Virtual {@code address = VIP DEVICE}: the VIP and the alias device the active director brings it
 * up on (for example {@code eth0:1}).
 */
public record VirtualAddress(InetAddress address, String device) {
  public VirtualAddress {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(device, "device");
  }

  /** The device without its {@code :N} alias suffix ({@code eth0:1} → {@code eth0}). */
  public String interfaceName() {
    return interfaceName(device);
  }

  /**
   * The interface of a configured device, without its {@code :N} alias suffix ({@code eth0:1} →
   * {@code eth0}); also used for {@code nat_router}'s device.
   */
  public static String interfaceName(String device) {
    int colon = device.indexOf(':');
    return colon < 0 ? device : device.substring(0, colon);
  }
}
