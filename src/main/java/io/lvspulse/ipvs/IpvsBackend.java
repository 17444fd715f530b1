package io.lvspulse.ipvs;

import java.util.List;
import java.util.Optional;

/**
 * What lvs-pulse does to the kernel's IPVS table. Implementations: {@link IpvsadmBackend} (the real
 * thing) and {@link DryRunBackend} (in memory, logs what it would run). Never a "clear": lvs-pulse
 * does not run {@code ipvsadm -C}.
 */
public interface IpvsBackend {

  /** {@code ipvsadm} or {@code dry-run}, for logs and {@code /status}. */
  String name();

  /** The whole actual table. */
  IpvsTable read() throws IpvsException;

  /**
   * Applies the commands as one batch. A failure may leave some commands applied (ipvsadm -R goes
   * on after a failing line): read the table again to learn what happened.
   */
  void apply(List<IpvsCommand> batch) throws IpvsException;

  /**
   * The kernel's connection counters of every destination ({@code ipvsadm -L -n}): how the director
   * sees whether a server in maintenance is drained.
   */
  default IpvsConnections connections() throws IpvsException {
    throw new IpvsException(
        IpvsException.Kind.UNAVAILABLE, name() + " cannot read the kernel's connection counters");
  }

  /** {@code --set TCP TCPFIN UDP}. */
  void setTimeouts(IpvsTimeouts timeouts) throws IpvsException;

  /** {@code --start-daemon master|backup --mcast-interface IF --syncid N}. */
  void startSyncDaemon(SyncDaemonRole role, String multicastInterface, int syncId)
      throws IpvsException;

  /** {@code --stop-daemon master|backup}. */
  void stopSyncDaemon(SyncDaemonRole role) throws IpvsException;

  /**
   * The IPVS sysctls of the kernel this backend drives (the director's network namespace), or empty
   * when that kernel cannot be reached other than through ipvsadm.
   */
  default Optional<VsSysctls> sysctls() throws IpvsException {
    return Optional.empty();
  }

  /**
   * Sets {@code expire_quiescent_template} and {@code expire_nodest_conn} to 1 in the kernel this
   * backend drives, never in another one.
   */
  default void enableSysctls() throws IpvsException {
    throw new IpvsException(
        IpvsException.Kind.UNAVAILABLE, name() + " cannot set the IPVS sysctls of its kernel");
  }
}
