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

  /**
   * The link state of interfaces in the network namespace that {@code prefix} runs commands in
   * ({@code --command-prefix}: a director whose interfaces are not this process's): {@code PREFIX
   * ip -o link show dev IFACE}, up when its flags hold both {@code UP} and {@code LOWER_UP}. Each
   * interface asked for is polled every {@code every} on a daemon thread; {@link #isUp} returns the
   * latest answer (the first one is awaited) and never runs a command on the caller's thread after
   * that. A failing command counts as down.
   */
  static LinkState polled(
      io.lvspulse.exec.ExecRunner runner, java.util.List<String> prefix, java.time.Duration every) {
    return new PolledLinkState(runner, prefix, every);
  }
}
