package io.lvspulse.monitor;

import io.lvspulse.config.Network;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.probe.ProbeResult;
import java.time.Instant;
import java.util.Optional;

/**
 * An immutable view of one monitored real server, for the IPVS controller, /status and metrics.
 *
 * @param id the server's identity
 * @param virtual the virtual service it belongs to (for a draining server: the last config that had
 *     it)
 * @param server its lvs.cf block
 * @param health UNKNOWN, UP or DOWN
 * @param inIpvs whether it belongs in the IPVS table now
 * @param weight the IPVS weight it should have (0 when quiesced or draining)
 * @param draining removed from the config by a reload: kept at weight 0 until {@code drainUntil}
 * @param drainUntil when a draining server is deleted from IPVS
 * @param since when the health last changed
 * @param lastResult the last probe result, if any
 * @param lastProbeAt when the last probe finished
 * @param consecutiveSuccesses successes in a row
 * @param consecutiveFailures failures in a row
 * @param probe the probe's description
 * @param drainNetwork for a draining server, the {@code network} (forwarding method) of the config
 *     that had it: its destination keeps that forwarding until it is deleted, whatever the running
 *     config says; empty for every other server
 * @param admin the operator's admin state ({@link Admin#inIpvs} and {@link Admin#weight} combine it
 *     with {@code inIpvs} and {@code weight}, which follow the health rules alone)
 */
public record ServerView(
    ServerId id,
    VirtualService virtual,
    RealServer server,
    Health health,
    boolean inIpvs,
    int weight,
    boolean draining,
    Optional<Instant> drainUntil,
    Instant since,
    Optional<ProbeResult> lastResult,
    Optional<Instant> lastProbeAt,
    int consecutiveSuccesses,
    int consecutiveFailures,
    String probe,
    Optional<Network> drainNetwork,
    Admin admin) {

  public ServerView {
    java.util.Objects.requireNonNull(drainNetwork, "drainNetwork");
    java.util.Objects.requireNonNull(admin, "admin");
  }

  /** A view of a server that is not draining, whose admin state is the default. */
  public ServerView(
      ServerId id,
      VirtualService virtual,
      RealServer server,
      Health health,
      boolean inIpvs,
      int weight,
      boolean draining,
      Optional<Instant> drainUntil,
      Instant since,
      Optional<ProbeResult> lastResult,
      Optional<Instant> lastProbeAt,
      int consecutiveSuccesses,
      int consecutiveFailures,
      String probe) {
    this(
        id,
        virtual,
        server,
        health,
        inIpvs,
        weight,
        draining,
        drainUntil,
        since,
        lastResult,
        lastProbeAt,
        consecutiveSuccesses,
        consecutiveFailures,
        probe,
        Optional.empty(),
        Admin.enabled(since));
  }

  /** This view with the operator's admin state {@code a}. */
  public ServerView withAdmin(Admin a) {
    return new ServerView(
        id,
        virtual,
        server,
        health,
        inIpvs,
        weight,
        draining,
        drainUntil,
        since,
        lastResult,
        lastProbeAt,
        consecutiveSuccesses,
        consecutiveFailures,
        probe,
        drainNetwork,
        a);
  }

  /** Whether the server belongs in IPVS now: the health rules, the admin state and a reload. */
  public boolean effectiveInIpvs() {
    return draining || admin.inIpvs(inIpvs);
  }

  /** The IPVS weight it should have now (0 when draining after a reload or not enabled). */
  public int effectiveWeight() {
    return draining ? 0 : admin.weight(weight);
  }
}
