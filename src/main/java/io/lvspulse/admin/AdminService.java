package io.lvspulse.admin;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.HealthMonitor;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.net.Addresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies operators' admin changes: finds the server in the running config, sets its state in the
 * monitor, writes the state file and relays the change to the partner director. A change that came
 * from the partner is applied and saved, never relayed back.
 *
 * <p>Thread-safe: changes are serialised, so the state file always holds the last one.
 */
public final class AdminService implements AdminControl {
  private static final Logger log = LoggerFactory.getLogger(AdminService.class);

  private final HealthMonitor monitor;
  private final @Nullable Path stateFile;
  private volatile PartnerRelay relay;
  private @Nullable String lastSaveError;

  /**
   * @param monitor the running monitor
   * @param stateFile where the admin states are kept; null keeps them in memory only
   * @param relay the partner director's channel
   */
  public AdminService(HealthMonitor monitor, @Nullable Path stateFile, PartnerRelay relay) {
    this.monitor = Objects.requireNonNull(monitor);
    this.stateFile = stateFile;
    this.relay = Objects.requireNonNull(relay);
  }

  /** Replaces the partner channel (the daemon opens it after the service exists). */
  public void setRelay(PartnerRelay relay) {
    this.relay = Objects.requireNonNull(relay);
  }

  /**
   * Reads the state file of the previous run: its states, or none (with one error logged) when the
   * file is unusable, which is then kept aside as {@code admin-state.corrupt} for inspection.
   */
  public static Map<ServerId, Admin> restore(@Nullable Path stateFile) {
    if (stateFile == null) {
      return Map.of();
    }
    AdminStateFile.Loaded l = AdminStateFile.read(stateFile);
    if (l instanceof AdminStateFile.States s) {
      if (!s.states().isEmpty()) {
        log.info("admin state file {}: {} server(s) not enabled", stateFile, s.states().size());
      }
      return s.states();
    }
    String why = ((AdminStateFile.Unreadable) l).message();
    Path aside = stateFile.resolveSibling(stateFile.getFileName() + ".corrupt");
    String kept;
    try {
      Files.move(stateFile, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      kept = "moved to " + aside;
    } catch (IOException | RuntimeException e) {
      kept = "left in place (" + e.getMessage() + ")";
    }
    log.error(
        "admin state file unusable, ignored: every server starts enabled ({}; the file was {})",
        why,
        kept);
    return Map.of();
  }

  @Override
  public synchronized AdminReply change(
      String virtual, String server, AdminState state, String by) {
    LvsConfig config;
    try {
      config = monitor.config();
    } catch (RuntimeException e) {
      return AdminReply.error(
          AdminReply.Status.UNAVAILABLE, "the daemon is not ready: " + e.getMessage());
    }
    ServerId id;
    try {
      id = resolve(config, virtual, server);
    } catch (NotFound e) {
      return AdminReply.error(AdminReply.Status.NOT_FOUND, e.getMessage());
    } catch (IllegalArgumentException e) {
      return AdminReply.error(
          AdminReply.Status.BAD_REQUEST, Objects.requireNonNullElse(e.getMessage(), e.toString()));
    }
    Optional<Admin> before =
        monitor.adminStates().entrySet().stream()
            .filter(en -> en.getKey().equals(id))
            .map(Map.Entry::getValue)
            .findFirst();
    Optional<Admin> after = monitor.setAdmin(id, state, by);
    if (after.isEmpty()) {
      return AdminReply.error(
          AdminReply.Status.NOT_FOUND, "server " + id + " is not monitored (removed by a reload?)");
    }
    boolean unchanged = before.map(b -> b.equals(after.get())).orElse(state == AdminState.ENABLED);
    Optional<String> saveError = persist();
    PartnerRelay.Outcome partner = relay.relay(id, state);
    StringBuilder msg = new StringBuilder();
    msg.append(id)
        .append(": ")
        .append(unchanged ? "already " : "")
        .append(state.label())
        .append(" (")
        .append(after.get().action())
        .append("); ")
        .append(partner.advice());
    saveError.ifPresent(
        e -> msg.append("; WARNING: not saved, it will not survive a restart: ").append(e));
    return new AdminReply(
        AdminReply.Status.OK,
        msg.toString(),
        Optional.of(id),
        after,
        Optional.of(partner),
        saveError.isEmpty());
  }

  /** Applies a change the partner director relayed (never relayed back); false if unknown here. */
  public synchronized boolean applyFromPartner(ServerId id, AdminState state, InetAddress from) {
    Optional<Admin> a = monitor.setAdmin(id, state, "partner " + Addresses.canonical(from));
    if (a.isEmpty()) {
      log.warn(
          "partner {} set server {} to {}: no such server here (do both directors have the same"
              + " lvs.cf?)",
          Addresses.canonical(from),
          id,
          state.label());
      return false;
    }
    persist();
    return true;
  }

  /**
   * Writes the monitor's current admin states to the state file (after a change, a drain, a
   * reload). Returns why it could not, if so (logged once per distinct error).
   */
  public synchronized Optional<String> persist() {
    Path f = stateFile;
    if (f == null) {
      return Optional.of("no state directory");
    }
    try {
      AdminStateFile.write(f, monitor.adminStates());
      if (lastSaveError != null) {
        log.info("admin state file {} written again", f);
        lastSaveError = null;
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      String why = "cannot write " + f + ": " + e.getMessage();
      if (!why.equals(lastSaveError)) {
        log.error("{}; admin changes will not survive a restart until it can be written", why);
      }
      lastSaveError = why;
      return Optional.of(why);
    }
  }

  private static final class NotFound extends Exception {
    NotFound(String message) {
      super(message);
    }

    /** The message every constructor takes: never null. */
    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage());
    }
  }

  /**
   * The server {@code server} of virtual service {@code virtual}: a real server's block name, its
   * address (when only one of its servers has it) or {@code ADDRESS:PORT}.
   */
  static ServerId resolve(LvsConfig config, String virtual, String server) throws NotFound {
    if (virtual.isBlank() || server.isBlank()) {
      throw new IllegalArgumentException("name a virtual service and a real server");
    }
    VirtualService v =
        config.virtuals().stream()
            .filter(x -> x.name().equals(virtual))
            .findFirst()
            .orElseThrow(
                () ->
                    new NotFound(
                        "no virtual service '"
                            + printable(virtual)
                            + "' in the running config (virtual services: "
                            + String.join(
                                ", ", config.virtuals().stream().map(VirtualService::name).toList())
                            + ")"));
    if (!v.active()) {
      throw new NotFound("virtual service " + v.name() + " is not active (active = 0)");
    }
    List<RealServer> matches = new ArrayList<>();
    for (RealServer rs : v.servers()) {
      String canonical = Addresses.canonical(rs.address());
      if (rs.name().equals(server)
          || canonical.equals(server)
          || rs.address().getHostAddress().equals(server)
          || (canonical + ":" + rs.port()).equals(server)
          || Addresses.canonical(new InetSocketAddress(rs.address(), rs.port())).equals(server)) {
        matches.add(rs);
      }
    }
    if (matches.isEmpty()) {
      throw new NotFound(
          "virtual service "
              + v.name()
              + " has no real server '"
              + printable(server)
              + "' (give its block name, address or address:port; it has: "
              + String.join(", ", v.servers().stream().map(RealServer::name).toList())
              + ")");
    }
    if (matches.size() > 1) {
      throw new IllegalArgumentException(
          "'"
              + printable(server)
              + "' names "
              + matches.size()
              + " real servers of "
              + v.name()
              + ": give ADDRESS:PORT");
    }
    RealServer rs = matches.get(0);
    if (!rs.active()) {
      throw new NotFound(
          "real server " + rs.name() + " of " + v.name() + " is not active (active = 0)");
    }
    return ServerId.of(v.name(), rs.address(), rs.port());
  }

  /** User text echoed in a message: at most 64 characters, control characters escaped. */
  static String printable(String s) {
    String e = AdminStateFile.escape(s);
    return e.length() <= 64 ? e : e.substring(0, 64) + "...";
  }
}
