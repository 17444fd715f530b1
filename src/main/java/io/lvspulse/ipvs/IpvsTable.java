package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An immutable IPVS table: virtual services in order, each with its real servers in order. Used
 * both for the desired table (built from config and server states) and the actual one (parsed from
 * {@code ipvsadm -S -n}, with the kernel's order of real servers from {@code -L -n --nosort}).
 *
 * <p>The order of a service's real servers is the kernel's list order ({@code svc->destinations},
 * what {@code ipvsadm -L -n --nosort} and {@code /proc/net/ip_vs} print; {@code -S -n} sorts them
 * and refuses {@code --nosort}). The kernel puts a newly added real server at the <em>head</em> of
 * that list ({@code __ip_vs_update_dest}: {@code list_add_rcu}), so the list is the reverse of the
 * order of {@code -a} commands; {@link Builder#apply} models that. The order matters to the {@code
 * mh} scheduler, which fills its lookup table from the list in list order (see {@link
 * IpvsService#listOrderMatters()}).
 *
 * <p>A desired table may also carry, per real server, an <em>add weight</em>: the weight to add it
 * with when it has to be added while its desired weight is 0 (it is then set to 0 at once). The
 * kernel keeps a real server's last non-zero weight ({@code last_weight}) and {@code mh} builds its
 * table from it, so a quiesced server must have been added with its real weight for every director
 * to build the same table. Add weights are planning hints, not kernel state: {@link #equals}
 * ignores them.
 */
public final class IpvsTable {
  /** What applying an add of a destination the table already has returns (ipvsadm's words). */
  public static final String DESTINATION_EXISTS = "Destination already exists";

  /** The table with no services. */
  public static final IpvsTable EMPTY = new IpvsTable(Map.of(), Map.of());

  /**
   * One virtual service and its real servers.
   *
   * @param service the service settings
   * @param destinations real servers by address, in order
   */
  public record Entry(IpvsService service, Map<InetSocketAddress, IpvsDestination> destinations) {
    public Entry {
      destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    }
  }

  private final Map<ServiceKey, Entry> entries;
  private final Map<ServiceKey, Map<InetSocketAddress, Integer>> addWeights;

  private IpvsTable(
      Map<ServiceKey, Entry> entries, Map<ServiceKey, Map<InetSocketAddress, Integer>> addWeights) {
    this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    Map<ServiceKey, Map<InetSocketAddress, Integer>> w = new LinkedHashMap<>();
    addWeights.forEach(
        (k, m) -> {
          if (this.entries.containsKey(k) && !m.isEmpty()) {
            w.put(k, Map.copyOf(m));
          }
        });
    this.addWeights = Collections.unmodifiableMap(w);
  }

  /**
   * The weight to add real server {@code address} of service {@code key} with, when it must be
   * added while its desired weight is 0; 0 when none was given.
   */
  public int addWeight(ServiceKey key, InetSocketAddress address) {
    return addWeights.getOrDefault(key, Map.of()).getOrDefault(address, 0);
  }

  /** A builder for a new table. */
  public static Builder builder() {
    return new Builder(Map.of(), Map.of());
  }

  /** A builder that starts from this table. */
  public Builder toBuilder() {
    return new Builder(entries, addWeights);
  }

  /** Services with their real servers, in order. */
  public Collection<Entry> entries() {
    return entries.values();
  }

  /** The keys of every service, in order. */
  public java.util.Set<ServiceKey> keys() {
    return entries.keySet();
  }

  /** The service with {@code key}, if present. */
  public Optional<Entry> entry(ServiceKey key) {
    return Optional.ofNullable(entries.get(key));
  }

  /** The number of services. */
  public int serviceCount() {
    return entries.size();
  }

  /** The number of real servers over all services. */
  public int destinationCount() {
    return entries.values().stream().mapToInt(e -> e.destinations().size()).sum();
  }

  /** This table restricted to the services whose keys are in {@code keys}. */
  public IpvsTable only(java.util.Set<ServiceKey> keys) {
    Map<ServiceKey, Entry> m = new LinkedHashMap<>();
    entries.forEach(
        (k, v) -> {
          if (keys.contains(k)) {
            m.put(k, v);
          }
        });
    return new IpvsTable(m, addWeights);
  }

  /**
   * The table in the {@code ipvsadm -S} format (one {@code -A} line per service followed by its
   * {@code -a} lines, in list order); feeding it to {@code ipvsadm -R} on an empty table recreates
   * the same services and real servers (each list reversed: the kernel adds at the head).
   */
  public List<String> toSaveLines() {
    List<String> lines = new ArrayList<>();
    for (Entry e : entries.values()) {
      lines.add(new IpvsCommand.AddService(e.service()).line());
      for (IpvsDestination d : e.destinations().values()) {
        lines.add(new IpvsCommand.AddDestination(e.service().key(), d).line());
      }
    }
    return lines;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof IpvsTable t && entries.equals(t.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "IpvsTable" + toSaveLines();
  }

  /**
   * Builds a table. Also applies {@link IpvsCommand}s with the kernel's rules and error messages
   * (used by the dry-run backend and by test doubles).
   */
  public static final class Builder {
    private final Map<ServiceKey, IpvsService> services = new LinkedHashMap<>();
    private final Map<ServiceKey, Map<InetSocketAddress, IpvsDestination>> dests =
        new LinkedHashMap<>();
    private final Map<ServiceKey, Map<InetSocketAddress, Integer>> addWeights =
        new LinkedHashMap<>();

    private Builder(
        Map<ServiceKey, Entry> from, Map<ServiceKey, Map<InetSocketAddress, Integer>> weights) {
      from.forEach(
          (k, e) -> {
            services.put(k, e.service());
            dests.put(k, new LinkedHashMap<>(e.destinations()));
          });
      weights.forEach((k, m) -> addWeights.put(k, new LinkedHashMap<>(m)));
    }

    /** Adds a service; it must not exist yet. */
    public Builder service(IpvsService service) {
      String err = apply(new IpvsCommand.AddService(service));
      if (err != null) {
        throw new IllegalArgumentException(err + ": " + service.key());
      }
      return this;
    }

    /**
     * Adds a real server to an existing service at the <em>end</em> of its list (a table written in
     * list order); it must not exist yet.
     */
    public Builder destination(ServiceKey key, IpvsDestination destination) {
      String err = applyInListOrder(new IpvsCommand.AddDestination(key, destination));
      if (err != null) {
        throw new IllegalArgumentException(err + ": " + key + " " + destination);
      }
      return this;
    }

    /**
     * As {@link #destination(ServiceKey, IpvsDestination)}, with the weight to add it with while
     * its desired weight is 0 (see {@link IpvsTable}).
     */
    public Builder destination(ServiceKey key, IpvsDestination destination, int addWeight) {
      if (addWeight < 0) {
        throw new IllegalArgumentException("add weight < 0: " + addWeight);
      }
      destination(key, destination);
      if (addWeight > 0) {
        addWeights
            .computeIfAbsent(key, k -> new LinkedHashMap<>())
            .put(destination.address(), addWeight);
      }
      return this;
    }

    /**
     * As {@link #apply}, except that an {@code -a} goes to the end of the list: for reading a table
     * that is printed in list order.
     */
    public @Nullable String applyInListOrder(IpvsCommand command) {
      return apply(command, false);
    }

    /**
     * Applies one command as the kernel would and returns {@code null}, or the kernel's error
     * message ({@code Service already exists}, {@code No such destination}, ...) leaving the table
     * unchanged. As in the kernel, an {@code -a} puts the new real server at the head of its
     * service's list.
     */
    public @Nullable String apply(IpvsCommand command) {
      return apply(command, true);
    }

    private @Nullable String apply(IpvsCommand command, boolean atHead) {
      ServiceKey key = command.key();
      boolean exists = services.containsKey(key);
      if (command instanceof IpvsCommand.AddService c) {
        if (exists) {
          return "Service already exists";
        }
        services.put(key, c.service());
        dests.put(key, new LinkedHashMap<>());
      } else if (command instanceof IpvsCommand.EditService c) {
        if (!exists) {
          return "No such service";
        }
        services.put(key, c.service());
      } else if (command instanceof IpvsCommand.DeleteService) {
        if (!exists) {
          return "No such service";
        }
        services.remove(key);
        dests.remove(key);
        addWeights.remove(key);
      } else if (!exists) {
        return "Service not defined";
      } else if (command instanceof IpvsCommand.AddDestination c) {
        var m = destinationsOf(key);
        if (m.containsKey(c.destination().address())) {
          return DESTINATION_EXISTS;
        }
        if (atHead) {
          Map<InetSocketAddress, IpvsDestination> rest = new LinkedHashMap<>(m);
          m.clear();
          m.put(c.destination().address(), c.destination());
          m.putAll(rest);
        } else {
          m.put(c.destination().address(), c.destination());
        }
      } else if (command instanceof IpvsCommand.EditDestination c) {
        var m = destinationsOf(key);
        if (!m.containsKey(c.destination().address())) {
          return "No such destination";
        }
        m.put(c.destination().address(), c.destination());
      } else if (command instanceof IpvsCommand.DeleteDestination c) {
        if (destinationsOf(key).remove(c.address()) == null) {
          return "No such destination";
        }
      }
      return null;
    }

    /** The real servers of a service that exists: services and dests always have the same keys. */
    private Map<InetSocketAddress, IpvsDestination> destinationsOf(ServiceKey key) {
      return Objects.requireNonNull(dests.get(key), "no destination map for an existing service");
    }

    /** The table. */
    public IpvsTable build() {
      Map<ServiceKey, Entry> m = new LinkedHashMap<>();
      services.forEach((k, s) -> m.put(k, new Entry(s, destinationsOf(k))));
      return new IpvsTable(m, addWeights);
    }
  }
}
