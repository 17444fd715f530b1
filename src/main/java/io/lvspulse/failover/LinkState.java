package io.lvspulse.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a network interface's link is up ({@code monitor_links = 1}). Injectable for tests. */
@FunctionalInterface
public interface LinkState {

  /** True when {@code iface} (a base name such as {@code eth0}) has link. */
  boolean isUp(String iface);

  /**
   * Reads {@code /sys/class/net/IFACE/carrier} ({@code 1} = link); if that cannot be read (the
   * kernel refuses it while the interface is administratively down), the link is down. A missing
   * interface is down.
   */
  static LinkState sysfs() {
    return sysfs(Path.of("/sys/class/net"));
  }

  /** As {@link #sysfs()}, under another root (tests). */
  static LinkState sysfs(Path root) {
    return iface -> {
      if (iface.isEmpty() || iface.contains("/") || iface.startsWith(".")) {
        return false;
      }
      Path dir = root.resolve(iface);
      try {
        String carrier =
            Files.readString(dir.resolve("carrier"), StandardCharsets.US_ASCII).strip();
        return carrier.equals("1");
      } catch (IOException e) {
        return false;
      }
    };
  }
}
