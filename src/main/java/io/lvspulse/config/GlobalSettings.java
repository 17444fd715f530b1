package io.lvspulse.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The global section of lvs.cf (every keyword of Piranha 0.8.6 plus lvs-pulse's extension keys).
 * Defaults are Piranha's; see {@link #defaults()}.
 *
 * @param serialNo {@code serial_no}: GUI revision counter, ignored
 * @param primary {@code primary}: public address of the primary director
 * @param primaryPrivate {@code primary_private}: second heartbeat path; equals {@code primary} when
 *     not given (Piranha). It may therefore equal {@code primary}: send once per distinct address.
 * @param primaryShared {@code primary_shared}: FOS shared device, kept, unused
 * @param backup {@code backup}: public address of the backup director
 * @param backupPrivate {@code backup_private}: equals {@code backup} when not given (Piranha)
 * @param backupShared {@code backup_shared}: FOS shared device, kept, unused
 * @param backupActive {@code backup_active}: 0 = there is no backup director
 * @param heartbeat {@code heartbeat}: parsed, not used by Piranha's daemons
 * @param heartbeatPort {@code heartbeat_port}: UDP heartbeat port (539)
 * @param keepalive {@code keepalive}: interval between heartbeats (2 s)
 * @param deadtime {@code deadtime}: silence after which the partner is dead (5 s)
 * @param network {@code network}: forwarding method (NAT)
 * @param natRouter {@code nat_router = IP DEV}
 * @param natNetmask {@code nat_nmask}
 * @param service {@code service}: lvs or fos (LVS)
 * @param debugLevel {@code debug_level}: stored only ("NONE")
 * @param rshCommand {@code rsh_command}: for {@code load_monitor = uptime} ("rsh")
 * @param sync {@code sync}: legacy file sync, unused
 * @param ipvsadm {@code ipvsadm}: the ipvsadm binary (/sbin/ipvsadm)
 * @param activeCmd {@code active_cmd}: run on becoming active
 * @param inactiveCmd {@code inactive_cmd}: run on becoming inactive
 * @param monitorLinks {@code monitor_links}: watch NIC link state (Piranha reads an int; non-zero =
 *     on)
 * @param syncdaemon {@code syncdaemon}: drive the IPVS connection-sync daemon
 * @param syncdIface {@code syncd_iface}: sync daemon multicast interface ("eth0")
 * @param syncdId {@code syncd_id}: sync id, already masked to 0..255 (Piranha masks with 0xff)
 * @param tcpTimeout {@code tcp_timeout}: seconds for {@code ipvsadm --set}, 0 = leave unchanged
 * @param tcpfinTimeout {@code tcpfin_timeout}: seconds, 0 = leave unchanged
 * @param udpTimeout {@code udp_timeout}: seconds, 0 = leave unchanged
 * @param hardShutdown {@code hard_shutdown}: (1)
 * @param reservationConflictAction {@code reservation_conflict_action}: FOS only, kept, unused
 * @param heartbeatKeyFile lvs-pulse extension {@code heartbeat_key_file}: key for authenticated
 *     heartbeats (absent = Piranha's plain 4-byte heartbeat)
 * @param failback lvs-pulse extension {@code failback}: primary takes over again when it returns
 *     (0, as Piranha, which has no automatic failback)
 * @param manageFirewall lvs-pulse extension {@code manage_firewall}: install the fwmark mangle
 *     rules itself (0)
 * @param ecmp lvs-pulse extension keys {@code director_mode}, {@code announce_*} and {@code
 *     bird_socket} (ECMP mode)
 */
public record GlobalSettings(
    int serialNo,
    Optional<InetAddress> primary,
    Optional<InetAddress> primaryPrivate,
    Optional<String> primaryShared,
    Optional<InetAddress> backup,
    Optional<InetAddress> backupPrivate,
    Optional<String> backupShared,
    boolean backupActive,
    boolean heartbeat,
    int heartbeatPort,
    Duration keepalive,
    Duration deadtime,
    Network network,
    Optional<NatRouter> natRouter,
    Optional<InetAddress> natNetmask,
    ServiceType service,
    String debugLevel,
    String rshCommand,
    boolean sync,
    Path ipvsadm,
    Optional<String> activeCmd,
    Optional<String> inactiveCmd,
    boolean monitorLinks,
    boolean syncdaemon,
    String syncdIface,
    int syncdId,
    int tcpTimeout,
    int tcpfinTimeout,
    int udpTimeout,
    boolean hardShutdown,
    Optional<ReservationConflictAction> reservationConflictAction,
    Optional<Path> heartbeatKeyFile,
    boolean failback,
    boolean manageFirewall,
    EcmpSettings ecmp) {

  public static final int DEFAULT_HEARTBEAT_PORT = 539;
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(2);
  public static final Duration DEFAULT_DEADTIME = Duration.ofSeconds(5);
  public static final Path DEFAULT_IPVSADM = Path.of("/sbin/ipvsadm");

  public GlobalSettings {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(primaryPrivate, "primaryPrivate");
    Objects.requireNonNull(primaryShared, "primaryShared");
    Objects.requireNonNull(backup, "backup");
    Objects.requireNonNull(backupPrivate, "backupPrivate");
    Objects.requireNonNull(backupShared, "backupShared");
    Objects.requireNonNull(keepalive, "keepalive");
    Objects.requireNonNull(deadtime, "deadtime");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(natRouter, "natRouter");
    Objects.requireNonNull(natNetmask, "natNetmask");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(debugLevel, "debugLevel");
    Objects.requireNonNull(rshCommand, "rshCommand");
    Objects.requireNonNull(ipvsadm, "ipvsadm");
    Objects.requireNonNull(activeCmd, "activeCmd");
    Objects.requireNonNull(inactiveCmd, "inactiveCmd");
    Objects.requireNonNull(syncdIface, "syncdIface");
    Objects.requireNonNull(reservationConflictAction, "reservationConflictAction");
    Objects.requireNonNull(heartbeatKeyFile, "heartbeatKeyFile");
    Objects.requireNonNull(ecmp, "ecmp");
    if (primaryPrivate.isEmpty()) {
      primaryPrivate = primary;
    }
    if (backupPrivate.isEmpty()) {
      backupPrivate = backup;
    }
  }

  /** Piranha's defaults for a file with no global keyword at all. */
  public static GlobalSettings defaults() {
    return builder().build();
  }

  /** A builder starting from Piranha's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.serialNo = serialNo;
    b.primary = primary;
    b.primaryPrivate = primaryPrivate;
    b.primaryShared = primaryShared;
    b.backup = backup;
    b.backupPrivate = backupPrivate;
    b.backupShared = backupShared;
    b.backupActive = backupActive;
    b.heartbeat = heartbeat;
    b.heartbeatPort = heartbeatPort;
    b.keepalive = keepalive;
    b.deadtime = deadtime;
    b.network = network;
    b.natRouter = natRouter;
    b.natNetmask = natNetmask;
    b.service = service;
    b.debugLevel = debugLevel;
    b.rshCommand = rshCommand;
    b.sync = sync;
    b.ipvsadm = ipvsadm;
    b.activeCmd = activeCmd;
    b.inactiveCmd = inactiveCmd;
    b.monitorLinks = monitorLinks;
    b.syncdaemon = syncdaemon;
    b.syncdIface = syncdIface;
    b.syncdId = syncdId;
    b.tcpTimeout = tcpTimeout;
    b.tcpfinTimeout = tcpfinTimeout;
    b.udpTimeout = udpTimeout;
    b.hardShutdown = hardShutdown;
    b.reservationConflictAction = reservationConflictAction;
    b.heartbeatKeyFile = heartbeatKeyFile;
    b.failback = failback;
    b.manageFirewall = manageFirewall;
    b.directorMode = ecmp.mode();
    b.announceQuorum = ecmp.announceQuorum();
    b.announceRise = ecmp.announceRise();
    b.announceFall = ecmp.announceFall();
    b.announceInterval = ecmp.announceInterval();
    b.birdSocket = ecmp.birdSocket();
    return b;
  }

  /** True when a backup director exists ({@code backup_active = 1} and {@code backup} given). */
  public boolean hasBackup() {
    return backupActive && backup.isPresent();
  }

  /** Mutable builder; fields start at Piranha's defaults. */
  public static final class Builder {
    public int serialNo;
    public Optional<InetAddress> primary = Optional.empty();
    public Optional<InetAddress> primaryPrivate = Optional.empty();
    public Optional<String> primaryShared = Optional.empty();
    public Optional<InetAddress> backup = Optional.empty();
    public Optional<InetAddress> backupPrivate = Optional.empty();
    public Optional<String> backupShared = Optional.empty();
    public boolean backupActive;
    public boolean heartbeat;
    public int heartbeatPort = DEFAULT_HEARTBEAT_PORT;
    public Duration keepalive = DEFAULT_KEEPALIVE;
    public Duration deadtime = DEFAULT_DEADTIME;
    public Network network = Network.NAT;
    public Optional<NatRouter> natRouter = Optional.empty();
    public Optional<InetAddress> natNetmask = Optional.empty();
    public ServiceType service = ServiceType.LVS;
    public String debugLevel = "NONE";
    public String rshCommand = "rsh";
    public boolean sync;
    public Path ipvsadm = DEFAULT_IPVSADM;
    public Optional<String> activeCmd = Optional.empty();
    public Optional<String> inactiveCmd = Optional.empty();
    public boolean monitorLinks;
    public boolean syncdaemon;
    public String syncdIface = "eth0";
    public int syncdId;
    public int tcpTimeout;
    public int tcpfinTimeout;
    public int udpTimeout;
    public boolean hardShutdown = true;
    public Optional<ReservationConflictAction> reservationConflictAction = Optional.empty();
    public Optional<Path> heartbeatKeyFile = Optional.empty();
    public boolean failback;
    public boolean manageFirewall;
    public DirectorMode directorMode = DirectorMode.PAIR;
    public int announceQuorum = 1;
    public int announceRise = 2;
    public int announceFall = 2;
    public Duration announceInterval = EcmpSettings.DEFAULT_ANNOUNCE_INTERVAL;
    public Path birdSocket = EcmpSettings.DEFAULT_BIRD_SOCKET;

    Builder() {}

    public GlobalSettings build() {
      return new GlobalSettings(
          serialNo,
          primary,
          primaryPrivate,
          primaryShared,
          backup,
          backupPrivate,
          backupShared,
          backupActive,
          heartbeat,
          heartbeatPort,
          keepalive,
          deadtime,
          network,
          natRouter,
          natNetmask,
          service,
          debugLevel,
          rshCommand,
          sync,
          ipvsadm,
          activeCmd,
          inactiveCmd,
          monitorLinks,
          syncdaemon,
          syncdIface,
          syncdId,
          tcpTimeout,
          tcpfinTimeout,
          udpTimeout,
          hardShutdown,
          reservationConflictAction,
          heartbeatKeyFile,
          failback,
          manageFirewall,
          new EcmpSettings(
              directorMode,
              announceQuorum,
              announceRise,
              announceFall,
              announceInterval,
              birdSocket));
    }
  }
}
