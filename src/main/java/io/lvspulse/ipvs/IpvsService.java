package io.lvspulse.ipvs;

import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The settings of one IPVS virtual service (without its real servers).
 *
 * <p>Normalised as the kernel reports them, so that a value read back with {@code ipvsadm -S -n}
 * equals the one written: a persistence mask is kept only with persistence, and the all-ones mask
 * ({@code 255.255.255.255}, or {@code 128} for IPv6) is the same as none.
 *
 * @param key the service's identity
 * @param scheduler {@code wlc}, {@code rr}, ... ({@code -s})
 * @param persistence persistence timeout in whole seconds ({@code -p}), if persistent
 * @param persistenceMask client netmask for persistence ({@code -M}): dotted IPv4 mask, or the
 *     prefix length for IPv6
 * @param schedulerFlags scheduler flags ({@code -b}, e.g. {@code sh-fallback}), if any
 */
public record IpvsService(
    ServiceKey key,
    String scheduler,
    Optional<Duration> persistence,
    Optional<String> persistenceMask,
    Optional<String> schedulerFlags) {

  public IpvsService {
    if (!scheduler.matches("[a-z0-9_-]+")) {
      throw new IllegalArgumentException("bad scheduler name: '" + scheduler + "'");
    }
    persistence.ifPresent(
        p -> {
          if (p.isNegative() || p.isZero() || p.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException("persistence must be whole seconds > 0: " + p);
          }
        });
    if (persistence.isEmpty()) {
      persistenceMask = Optional.empty();
    }
    persistenceMask = persistenceMask.filter(m -> !isAllOnes(m, key.ipv6()));
    persistenceMask.ifPresent(m -> validateMask(m, key));
    schedulerFlags.ifPresent(
        f -> {
          if (!f.matches("[a-z0-9_,-]+")) {
            throw new IllegalArgumentException("bad scheduler flags: '" + f + "'");
          }
        });
  }

  /** A service with scheduler {@code scheduler}, not persistent. */
  public static IpvsService of(ServiceKey key, String scheduler) {
    return new IpvsService(key, scheduler, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** This service made persistent for {@code timeout}. */
  public IpvsService withPersistence(Duration timeout) {
    return new IpvsService(key, scheduler, Optional.of(timeout), persistenceMask, schedulerFlags);
  }

  /** This service with persistence mask {@code mask} (ignored unless persistent). */
  public IpvsService withPersistenceMask(String mask) {
    return new IpvsService(key, scheduler, persistence, Optional.of(mask), schedulerFlags);
  }

  /**
   * True when the kernel's scheduler builds its lookup table from the real servers in the order of
   * the service's list, so that two directors agree on where a client goes only if their lists are
   * in the same order: {@code mh} (Maglev hashing; {@code ip_vs_mh.c} permutes and populates in
   * list order, with each server's last non-zero weight). The planner keeps such a list exactly in
   * the desired order. ({@code sh} also fills its buckets in list order, but lvs-pulse leaves its
   * order as it is, as Piranha did.)
   */
  public boolean listOrderMatters() {
    return scheduler.equals("mh");
  }

  /** This service with scheduler flags {@code flags} ({@code -b}, e.g. {@code mh-fallback}). */
  public IpvsService withSchedulerFlags(String flags) {
    return new IpvsService(key, scheduler, persistence, persistenceMask, Optional.of(flags));
  }

  /** Same scheduler, persistence, mask and flags (the key is not compared). */
  boolean sameSettings(IpvsService o) {
    return scheduler.equals(o.scheduler)
        && persistence.equals(o.persistence)
        && persistenceMask.equals(o.persistenceMask)
        && schedulerFlags.equals(o.schedulerFlags);
  }

  /** The options after the key: {@code -s wlc -p 45 [-M mask] [-b flags]}. */
  List<String> optionArgs() {
    List<String> a = new ArrayList<>(List.of("-s", scheduler));
    persistence.ifPresent(
        p -> {
          a.add("-p");
          a.add(Long.toString(p.toSeconds()));
        });
    persistenceMask.ifPresent(
        m -> {
          a.add("-M");
          a.add(m);
        });
    schedulerFlags.ifPresent(
        f -> {
          a.add("-b");
          a.add(f);
        });
    return a;
  }

  private static boolean isAllOnes(String mask, boolean ipv6) {
    return ipv6 ? mask.equals("128") : mask.equals("255.255.255.255");
  }

  private static void validateMask(String m, ServiceKey key) {
    if (key.ipv6()) {
      if (!m.matches("\\d{1,3}") || Integer.parseInt(m) > 128) {
        throw new IllegalArgumentException(
            "IPv6 persistence mask must be a prefix length 0..128: " + m);
      }
      return;
    }
    if (IpAddresses.parseAddress(m) instanceof Inet6Address) {
      throw new IllegalArgumentException("IPv4 persistence mask must be dotted: " + m);
    }
  }
}
