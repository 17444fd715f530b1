package io.lvspulse.daemon;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@code lvs-pulse run} was asked to run.
 *
 * @param config the lvs.cf to read (and re-read on SIGHUP)
 * @param ipvs which IPVS backend to drive
 * @param ipvsadm the ipvsadm binary overriding the config's {@code ipvsadm} key
 * @param listen address of the HTTP endpoints; port 0 picks a free port
 * @param cleanupOnStop delete the managed IPVS services on SIGTERM (default: leave IPVS as it is)
 * @param role force the failover role instead of finding it from the config's addresses
 * @param setSysctls set {@code net.ipv4.vs.expire_quiescent_template} and {@code
 *     expire_nodest_conn} to 1 when a quiescing virtual service needs them (the default; {@code
 *     --keep-sysctls} turns it off)
 * @param fullReconcile period of the full IPVS reconcile that repairs drift
 * @param failover run the director failover (heartbeat, VIPs); off means "always active"
 * @param commandPrefix prepended to every {@code ip}/{@code arping}/{@code nft}/{@code sysctl}
 *     command (a director inside a network namespace: {@code ip netns exec NS})
 * @param drainFile ECMP mode: while this file exists, every VIP is withdrawn ({@code lvs-pulse
 *     announce --drain} writes it)
 * @param admin where runtime admin changes (drain, maintenance, enable) come from and are kept
 */
public record DaemonOptions(
    Path config,
    IpvsMode ipvs,
    Optional<Path> ipvsadm,
    InetSocketAddress listen,
    boolean cleanupOnStop,
    Optional<String> role,
    boolean setSysctls,
    Duration fullReconcile,
    boolean failover,
    java.util.List<String> commandPrefix,
    Path drainFile,
    Admin admin) {

  /** Where {@code lvs-pulse announce --drain} puts the drain flag (the unit's state directory). */
  public static final String DEFAULT_DRAIN_FILE = "/var/lib/lvs-pulse/drain";

  /**
   * Runtime admin control.
   *
   * @param stateDir the state directory (the admin state file lives there); empty keeps admin
   *     states in memory only
   * @param controlSocket the CLI's Unix socket; empty serves none
   * @param apiTokenFile the HTTP API's token file; empty (or a missing file) turns the API off
   */
  public record Admin(
      Optional<Path> stateDir, Optional<Path> controlSocket, Optional<Path> apiTokenFile) {
    /** Nothing: in memory, no socket, no HTTP API. */
    public static final Admin NONE =
        new Admin(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Options without runtime admin control ({@link Admin#NONE}). */
  public DaemonOptions(
      Path config,
      IpvsMode ipvs,
      Optional<Path> ipvsadm,
      InetSocketAddress listen,
      boolean cleanupOnStop,
      Optional<String> role,
      boolean setSysctls,
      Duration fullReconcile,
      boolean failover,
      java.util.List<String> commandPrefix,
      Path drainFile) {
    this(
        config,
        ipvs,
        ipvsadm,
        listen,
        cleanupOnStop,
        role,
        setSysctls,
        fullReconcile,
        failover,
        commandPrefix,
        drainFile,
        Admin.NONE);
  }

  /** The IPVS backends. */
  public enum IpvsMode {
    IPVSADM,
    DRY_RUN
  }

  public DaemonOptions {
    commandPrefix = java.util.List.copyOf(commandPrefix);
    java.util.Objects.requireNonNull(drainFile, "drainFile");
  }

  /** As the canonical constructor, with the default drain file. */
  public DaemonOptions(
      Path config,
      IpvsMode ipvs,
      Optional<Path> ipvsadm,
      InetSocketAddress listen,
      boolean cleanupOnStop,
      Optional<String> role,
      boolean setSysctls,
      Duration fullReconcile,
      boolean failover,
      java.util.List<String> commandPrefix) {
    this(
        config,
        ipvs,
        ipvsadm,
        listen,
        cleanupOnStop,
        role,
        setSysctls,
        fullReconcile,
        failover,
        commandPrefix,
        Path.of(DEFAULT_DRAIN_FILE));
  }
}
