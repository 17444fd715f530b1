package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The minimal list of commands that turns the actual IPVS table into the desired one, for the
 * services lvs-pulse manages only.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Only keys in {@code managed} are looked at; every other service in the kernel is left alone
 *       (Piranha's lvsd instead starts with {@code ipvsadm -C}). A managed service that is not
 *       desired is deleted.
 *   <li>Safe order: {@code -A}/{@code -E} services, then {@code -a} new real servers, then {@code
 *       -e} changed ones, then {@code -d} removed ones, then {@code -D} removed services; so a
 *       service exists before its real servers and new servers are in before old ones go.
 *   <li>A scheduler, persistence, mask or flag change is one {@code -E} (Piranha never applies it).
 *       A weight or forwarding change is one {@code -e}, never a delete and re-add (which would
 *       drop the server's connections).
 *   <li>The firewall-mark port quirk: the kernel keeps the port a real server was added with even
 *       for a fwmark service, where direct routing and tunnelling ignore it, so {@code 10.0.0.2:0}
 *       (added without a port) and {@code 10.0.0.2:69} are different entries. For a fwmark service
 *       with route or tunnel forwarding, a desired {@code IP:PORT} that is missing matches an
 *       actual {@code IP:0} (and a desired {@code IP:0} the only actual entry of that IP); that
 *       entry is then edited under the kernel's own address rather than deleted and re-added. NAT
 *       uses the port, so it matches exactly only.
 * </ul>
 */
public final class IpvsPlanner {
  private IpvsPlanner() {}

  /**
   * Plans the commands.
   *
   * @param desired what the managed services should look like
   * @param actual what the kernel has
   * @param managed the services lvs-pulse owns; must include every key of {@code desired}
   * @throws IllegalArgumentException when {@code desired} has a service that is not managed
   */
  public static List<IpvsCommand> plan(
      IpvsTable desired, IpvsTable actual, Set<ServiceKey> managed) {
    for (ServiceKey k : desired.keys()) {
      if (!managed.contains(k)) {
        throw new IllegalArgumentException("desired service " + k + " is not in the managed set");
      }
    }
    List<IpvsCommand> services = new ArrayList<>();
    List<IpvsCommand> adds = new ArrayList<>();
    List<IpvsCommand> edits = new ArrayList<>();
    List<IpvsCommand> deletes = new ArrayList<>();
    List<IpvsCommand> serviceDeletes = new ArrayList<>();

    for (IpvsTable.Entry want : desired.entries()) {
      ServiceKey key = want.service().key();
      IpvsTable.Entry have = actual.entry(key).orElse(null);
      if (have == null) {
        services.add(new IpvsCommand.AddService(want.service()));
        for (IpvsDestination d : want.destinations().values()) {
          adds.add(new IpvsCommand.AddDestination(key, d));
        }
        continue;
      }
      if (!want.service().sameSettings(have.service())) {
        services.add(new IpvsCommand.EditService(want.service()));
      }
      Map<InetSocketAddress, IpvsDestination> unmatched = new LinkedHashMap<>(have.destinations());
      Set<InetSocketAddress> wantedExact = new HashSet<>(want.destinations().keySet());
      for (IpvsDestination d : want.destinations().values()) {
        IpvsDestination match = unmatched.remove(d.address());
        if (match == null) {
          match = fwmarkPortQuirkMatch(key, d, unmatched, wantedExact);
        }
        if (match == null) {
          adds.add(new IpvsCommand.AddDestination(key, d));
        } else if (match.weight() != d.weight() || match.method() != d.method()) {
          // edit under the kernel's own address (may differ in port: the fwmark quirk)
          edits.add(
              new IpvsCommand.EditDestination(
                  key, new IpvsDestination(match.address(), d.method(), d.weight())));
        }
      }
      for (InetSocketAddress gone : unmatched.keySet()) {
        deletes.add(new IpvsCommand.DeleteDestination(key, gone));
      }
    }
    for (IpvsTable.Entry have : actual.entries()) {
      ServiceKey key = have.service().key();
      if (managed.contains(key) && desired.entry(key).isEmpty()) {
        serviceDeletes.add(new IpvsCommand.DeleteService(key));
      }
    }
    List<IpvsCommand> plan = new ArrayList<>(services);
    plan.addAll(adds);
    plan.addAll(edits);
    plan.addAll(deletes);
    plan.addAll(serviceDeletes);
    return List.copyOf(plan);
  }

  private static @Nullable IpvsDestination fwmarkPortQuirkMatch(
      ServiceKey key,
      IpvsDestination want,
      Map<InetSocketAddress, IpvsDestination> unmatched,
      Set<InetSocketAddress> wantedExact) {
    if (!(key instanceof ServiceKey.Fwmark) || want.method() == ForwardingMethod.MASQ) {
      return null;
    }
    InetSocketAddress a = want.address();
    if (a.getPort() != 0) {
      InetSocketAddress zero = new InetSocketAddress(a.getAddress(), 0);
      IpvsDestination d = unmatched.get(zero);
      if (d != null && d.method() != ForwardingMethod.MASQ && !wantedExact.contains(zero)) {
        unmatched.remove(zero);
        return d;
      }
      return null;
    }
    List<IpvsDestination> same = new ArrayList<>();
    for (IpvsDestination d : unmatched.values()) {
      if (d.address().getAddress().equals(a.getAddress())
          && d.method() != ForwardingMethod.MASQ
          && !wantedExact.contains(d.address())) {
        same.add(d);
      }
    }
    if (same.size() == 1) {
      unmatched.remove(same.get(0).address());
      return same.get(0);
    }
    return null;
  }
}
