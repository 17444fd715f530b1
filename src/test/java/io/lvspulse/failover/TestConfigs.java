package io.lvspulse.failover;

import io.lvspulse.config.GlobalSettings;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.Protocol;
import io.lvspulse.config.VirtualAddress;
import io.lvspulse.config.VirtualService;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Small lvs.cf models for failover tests. */
public final class TestConfigs {
  private TestConfigs() {}

  public static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static VirtualService virtual(String name, String vip, String device, int fwmark) {
    VirtualService.Builder v = VirtualService.builder(name);
    v.active = true;
    v.address = Optional.of(new VirtualAddress(ip(vip), device));
    v.fwmark = fwmark;
    v.protocol = Protocol.UDP;
    v.port = 69;
    return v.build();
  }

  /**
   * A pair 192.0.2.1 (primary) / 192.0.2.2 (backup), heartbeat port 539, keepalive 2 s, deadtime 5
   * s, with the VIPs of {@code virtuals}.
   */
  public static LvsConfig pair(List<VirtualService> virtuals) {
    return pair(
        "192.0.2.1",
        "192.0.2.2",
        539,
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        virtuals,
        g -> {});
  }

  /**
   * A pair primary/backup with the given timing, the VIPs of {@code virtuals}, edited by {@code
   * edit}.
   */
  public static LvsConfig pair(
      String primary,
      String backup,
      int port,
      Duration keepalive,
      Duration deadtime,
      List<VirtualService> virtuals,
      Consumer<GlobalSettings.Builder> edit) {
    GlobalSettings.Builder g = GlobalSettings.builder();
    g.primary = Optional.of(ip(primary));
    g.backup = Optional.of(ip(backup));
    g.backupActive = true;
    g.heartbeatPort = port;
    g.keepalive = keepalive;
    g.deadtime = deadtime;
    g.network = io.lvspulse.config.Network.DIRECT;
    edit.accept(g);
    return new LvsConfig(g.build(), new ArrayList<>(virtuals), List.of());
  }
}
