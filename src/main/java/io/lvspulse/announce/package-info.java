/**
 * ECMP mode's announcement side: every director is active and tells the upstream router, through an
 * existing routing daemon, which VIPs it can serve. The router spreads flows over the directors
 * that announce a VIP (equal-cost multipath); IPVS's {@code mh} scheduler sends a client to the
 * same real server whichever director gets its packets.
 *
 * <ul>
 *   <li>{@link io.lvspulse.announce.Announcer}: the narrow interface (announce, withdraw, read the
 *       state) with {@link io.lvspulse.announce.BirdAnnouncer} as the real implementation, over
 *       BIRD 2's control socket ({@link io.lvspulse.announce.BirdControl}, birdc's text protocol,
 *       no fork). One {@code protocol static} per VIP, declared {@code disabled} in bird.conf so a
 *       BIRD restart withdraws everything until lvs-pulse says otherwise.
 *   <li>{@link io.lvspulse.announce.AnnouncePolicy}: pure and clock-driven; from the director's
 *       health it decides, per VIP, whether to announce, with rise/fall hysteresis and the reason.
 *   <li>{@link io.lvspulse.announce.AnnounceController}: the loop that feeds the policy, converges
 *       the routing daemon to its decisions, and withdraws everything first on stop.
 * </ul>
 *
 * <p>Imports nothing of lvs-pulse: the daemon maps its monitor and IPVS state to {@link
 * io.lvspulse.announce.AnnouncePolicy.Inputs}.
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.announce;
