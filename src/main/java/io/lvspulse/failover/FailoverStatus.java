package io.lvspulse.failover;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of the failover state for {@code /status}.
 *
 * @param role this director's role
 * @param roleReason how the role was found ("primary 10.0.0.1 is on eth0", "--role backup")
 * @param active this director is active (holds the VIPs)
 * @param partner the partner's public address (empty with {@code backup_active = 0})
 * @param partnerAddresses every address heartbeats go to
 * @param partnerState what we know of the partner
 * @param lastHeard when the last valid heartbeat arrived
 * @param lastTransitionReason why the last transition (or the start) happened
 * @param lastTransitionAt when
 * @param authenticated heartbeats use the HMAC format
 * @param localProblem why this director may not be active now (link down, health), if so
 * @param partnerProblem the local problem the partner's heartbeats report (authenticated format)
 */
public record FailoverStatus(
    Role role,
    String roleReason,
    boolean active,
    Optional<InetAddress> partner,
    List<InetAddress> partnerAddresses,
    PartnerState partnerState,
    Optional<Instant> lastHeard,
    String lastTransitionReason,
    Optional<Instant> lastTransitionAt,
    boolean authenticated,
    Optional<String> localProblem,
    Optional<String> partnerProblem) {

  public FailoverStatus {
    partnerAddresses = List.copyOf(partnerAddresses);
  }
}
