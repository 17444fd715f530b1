package io.lvspulse.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole lvs.cf: global settings, {@code virtual} blocks (LVS) and {@code failover} blocks (FOS,
 * which reuse {@link VirtualService}; lvs-pulse ignores them), each list in file order.
 */
public record LvsConfig(
    GlobalSettings global, List<VirtualService> virtuals, List<VirtualService> failovers) {

  public LvsConfig {
    Objects.requireNonNull(global, "global");
    virtuals = List.copyOf(virtuals);
    failovers = List.copyOf(failovers);
  }

  /** The virtual services with {@code active = 1}, in file order. */
  public List<VirtualService> activeVirtuals() {
    List<VirtualService> out = new ArrayList<>();
    for (VirtualService v : virtuals) {
      if (v.active()) {
        out.add(v);
      }
    }
    return List.copyOf(out);
  }

  /** The active firewall-mark virtual services, in file order. */
  public List<VirtualService> activeFwmarkVirtuals() {
    List<VirtualService> out = new ArrayList<>();
    for (VirtualService v : virtuals) {
      if (v.active() && v.isFwmark()) {
        out.add(v);
      }
    }
    return List.copyOf(out);
  }

  /** The virtual block called {@code name}. */
  public Optional<VirtualService> virtual(String name) {
    return virtuals.stream().filter(v -> v.name().equals(name)).findFirst();
  }
}
