package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.util.ArrayList;
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
 *   <li>A real server is matched by its exact address and port, as the kernel identifies it. The
 *       director programs a real server of a firewall-mark service with direct routing or
 *       tunnelling as {@code IP:0} (director.ConfigTables#destinationAddress); a table programmed
 *       with {@code IP:PORT} (Piranha's lvsd, an older lvs-pulse) is moved in one batch: the new
 *       {@code -a IP:0} comes before the {@code -d IP:PORT}, so the service never lacks the server
 *       (docs/ipvs.md#firewall-mark-real-servers-have-port-0 for what the move costs).
 *   <li>For a service whose list order matters ({@code mh}: {@link
 *       IpvsService#listOrderMatters()}), the kernel's list ends up exactly in the desired order.
 *       The kernel adds at the head of the list, so a new service's real servers are added last
 *       first; when an existing list's head is out of order (a missing real server, an operator's
 *       {@code -d} and {@code -a}), the shortest head that makes the rest an in-order tail is
 *       deleted and added again, last first; a real server wanted at weight 0 is added at its add
 *       weight and set to 0 at once (see {@link IpvsTable}). Weights still change with {@code -e}
 *       only, which keeps a server's place in the list.
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
      boolean ordered = want.service().listOrderMatters();
      List<IpvsDestination> wantList = new ArrayList<>(want.destinations().values());
      IpvsTable.Entry have = actual.entry(key).orElse(null);
      if (have == null) {
        services.add(new IpvsCommand.AddService(want.service()));
        if (ordered) {
          // The kernel adds at the head of the list: add the last one first.
          for (int i = wantList.size() - 1; i >= 0; i--) {
            add(
                key,
                wantList.get(i),
                desired.addWeight(key, wantList.get(i).address()),
                true,
                adds);
          }
        } else {
          for (IpvsDestination d : wantList) {
            adds.add(new IpvsCommand.AddDestination(key, d));
          }
        }
        continue;
      }
      if (!want.service().sameSettings(have.service())) {
        services.add(new IpvsCommand.EditService(want.service()));
      }
      Map<InetSocketAddress, IpvsDestination> unmatched = new LinkedHashMap<>(have.destinations());
      List<@Nullable IpvsDestination> matches = new ArrayList<>();
      for (IpvsDestination d : wantList) {
        matches.add(unmatched.remove(d.address()));
      }
      int keepFrom = ordered ? orderedSuffix(matches, have) : 0;
      for (int i = 0; i < wantList.size(); i++) {
        IpvsDestination d = wantList.get(i);
        IpvsDestination match = matches.get(i);
        if (i < keepFrom) {
          continue; // re-added below, in order
        }
        if (match == null) {
          adds.add(new IpvsCommand.AddDestination(key, d));
        } else if (match.weight() != d.weight() || match.method() != d.method()) {
          edits.add(new IpvsCommand.EditDestination(key, d));
        }
      }
      if (keepFrom > 0) {
        // The list's head is not in the desired order: take out what is there of it and add it
        // again, last first (each -a goes to the head), before the in-order tail.
        List<IpvsCommand> regroup = new ArrayList<>();
        for (int i = 0; i < keepFrom; i++) {
          IpvsDestination match = matches.get(i);
          if (match != null) {
            regroup.add(new IpvsCommand.DeleteDestination(key, match.address()));
          }
        }
        for (int i = keepFrom - 1; i >= 0; i--) {
          IpvsDestination d = wantList.get(i);
          add(key, d, desired.addWeight(key, d.address()), true, regroup);
        }
        adds.addAll(regroup);
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

  /**
   * For a service whose list order matters: the first index of the longest tail of the desired list
   * that is already in the kernel, in the same relative order (the real servers that are not
   * desired are deleted anyway). Everything before it must be deleted (where present) and added
   * again to get the desired order, since the kernel can only add at the head.
   */
  private static int orderedSuffix(List<@Nullable IpvsDestination> matches, IpvsTable.Entry have) {
    List<InetSocketAddress> actualOrder = new ArrayList<>(have.destinations().keySet());
    int keepFrom = matches.size();
    int next = Integer.MAX_VALUE;
    for (int i = matches.size() - 1; i >= 0; i--) {
      IpvsDestination m = matches.get(i);
      if (m == null) {
        break;
      }
      int pos = actualOrder.indexOf(m.address());
      if (pos >= next) {
        break;
      }
      next = pos;
      keepFrom = i;
    }
    return keepFrom;
  }

  /**
   * An {@code -a}; for a service whose list order matters, a real server wanted at weight 0 is
   * added at {@code addWeight} and set to 0 at once, so that the kernel's {@code last_weight}
   * (which {@code mh} builds its table from) is its real weight, as on a director that had it up.
   */
  private static void add(
      ServiceKey key, IpvsDestination d, int addWeight, boolean ordered, List<IpvsCommand> out) {
    if (ordered && d.weight() == 0 && addWeight > 0) {
      out.add(new IpvsCommand.AddDestination(key, d.withWeight(addWeight)));
      out.add(new IpvsCommand.EditDestination(key, d));
    } else {
      out.add(new IpvsCommand.AddDestination(key, d));
    }
  }
}
