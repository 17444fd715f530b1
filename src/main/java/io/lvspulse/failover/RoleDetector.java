package io.lvspulse.failover;

import io.lvspulse.config.GlobalSettings;
import io.lvspulse.net.Addresses;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds out whether this host is the primary or the backup director.
 *
 * <p>Piranha's pulse ({@code amMaster}) looks for {@code primary} on a local interface and
 * otherwise assumes it is the backup. lvs-pulse is stricter: it is the primary when {@code primary}
 * or {@code primary_private} is local, the backup when {@code backup} or {@code backup_private} is
 * local, and it refuses to guess when neither or both are (pass {@code --role}). With {@code
 * backup_active = 0} only the primary may run (pulse on the backup exits).
 */
public final class RoleDetector {
  private RoleDetector() {}

  /**
   * The decision and how it was made.
   *
   * @param role the role
   * @param reason e.g. "primary 10.0.0.1 is on eth0" or "--role backup"
   * @param ownInterfaces the local interfaces holding this director's own public/private addresses
   *     (watched when {@code monitor_links = 1}); empty when the role was forced and none is local
   */
  public record Decision(Role role, String reason, Set<String> ownInterfaces) {
    public Decision {
      ownInterfaces = Set.copyOf(ownInterfaces);
    }
  }

  /** Decides the role from {@code global} and the local addresses, or takes {@code override}. */
  public static Decision detect(
      GlobalSettings global, LocalAddresses local, Optional<Role> override)
      throws FailoverConfigException {
    if (global.primary().isEmpty()) {
      throw new FailoverConfigException(
          "lvs.cf sets no 'primary' address: failover needs at least 'primary' (and 'backup' when backup_active = 1)");
    }
    Map<InetAddress, String> table;
    try {
      table = local.addresses();
    } catch (SocketException e) {
      throw new FailoverConfigException(
          "cannot list the local network interfaces: " + e.getMessage(), e);
    }
    List<String> primaryHits = hits(table, global.primary(), global.primaryPrivate());
    List<String> backupHits = hits(table, global.backup(), global.backupPrivate());
    Set<String> primaryIfs = interfaces(table, global.primary(), global.primaryPrivate());
    Set<String> backupIfs = interfaces(table, global.backup(), global.backupPrivate());
    Decision d;
    if (override.isPresent()) {
      Role r = override.get();
      d = new Decision(r, "--role " + r.label(), r == Role.PRIMARY ? primaryIfs : backupIfs);
    } else if (!primaryHits.isEmpty() && !backupHits.isEmpty()) {
      throw new FailoverConfigException(
          "both the primary ("
              + String.join(", ", primaryHits)
              + ") and the backup ("
              + String.join(", ", backupHits)
              + ") addresses are on local interfaces: pass --role primary|backup");
    } else if (!primaryHits.isEmpty()) {
      d = new Decision(Role.PRIMARY, "primary " + String.join(", ", primaryHits), primaryIfs);
    } else if (!backupHits.isEmpty()) {
      d = new Decision(Role.BACKUP, "backup " + String.join(", ", backupHits), backupIfs);
    } else {
      throw new FailoverConfigException(
          "neither the primary ("
              + describe(global.primary(), global.primaryPrivate())
              + ") nor the backup ("
              + describe(global.backup(), global.backupPrivate())
              + ") address is on a local interface: pass --role primary|backup");
    }
    if (d.role() == Role.BACKUP && !global.hasBackup()) {
      throw new FailoverConfigException(
          "this host is the backup ("
              + d.reason()
              + ") but lvs.cf has backup_active = 0 (or no 'backup'): there is no backup director to run");
    }
    return d;
  }

  private static List<String> hits(
      Map<InetAddress, String> table, Optional<InetAddress> pub, Optional<InetAddress> priv) {
    List<String> out = new ArrayList<>();
    for (InetAddress a : distinct(pub, priv)) {
      String nif = table.get(a);
      if (nif != null) {
        out.add(Addresses.canonical(a) + " is on " + nif);
      }
    }
    return out;
  }

  private static Set<String> interfaces(
      Map<InetAddress, String> table, Optional<InetAddress> pub, Optional<InetAddress> priv) {
    Set<String> out = new LinkedHashSet<>();
    for (InetAddress a : distinct(pub, priv)) {
      String nif = table.get(a);
      if (nif != null) {
        int colon = nif.indexOf(':');
        out.add(colon < 0 ? nif : nif.substring(0, colon));
      }
    }
    return out;
  }

  static Set<InetAddress> distinct(Optional<InetAddress> pub, Optional<InetAddress> priv) {
    Set<InetAddress> s = new LinkedHashSet<>();
    pub.ifPresent(s::add);
    priv.ifPresent(s::add);
    return s;
  }

  private static String describe(Optional<InetAddress> pub, Optional<InetAddress> priv) {
    Set<InetAddress> s = distinct(pub, priv);
    if (s.isEmpty()) {
      return "not set";
    }
    List<String> out = new ArrayList<>();
    for (InetAddress a : s) {
      out.add(Addresses.canonical(a));
    }
    return String.join(", ", out);
  }
}
