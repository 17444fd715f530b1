package io.lvspulse.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code virtual NAME { ... }} block (LVS) or a {@code failover NAME { ... }} block (FOS; same
 * fields, ignored in LVS mode). Defaults are Piranha's ({@code lvsInitVirtualServer}).
 *
 * <p>{@code send} and {@code expect} hold the text exactly as written between the quotes: backslash
 * escapes ({@code \r \n \t \\ \' \"}) are <em>not</em> translated here; {@link Escapes#translate}
 * translates them as nanny does.
 *
 * @param name block name (a label)
 * @param active {@code active} (Piranha default 0: an inactive virtual is not started)
 * @param address {@code address = VIP DEVICE}
 * @param vipNetmask {@code vip_nmask} (absent when not given or 0.0.0.0)
 * @param sorryServer {@code sorry_server}: dotted IPv4 only (as Piranha)
 * @param fwmark {@code fwmark}: 0 = none; otherwise the service is {@code -f FWMARK}
 * @param port {@code port} (80); ignored by IPVS for fwmark services, still the default real port
 * @param protocol {@code protocol} (tcp)
 * @param scheduler {@code scheduler} (wlc)
 * @param persistent {@code persistent} (0 = none)
 * @param pmask {@code pmask}: persistence netmask; absent when not given, 0.0.0.0 or
 *     255.255.255.255 (Piranha turns /32 into "no mask")
 * @param send {@code send}: bytes sent by the socket probe (escapes untranslated)
 * @param expect {@code expect}: expected reply or program output (escapes untranslated)
 * @param useRegex {@code use_regex}
 * @param sendProgram {@code send_program}: external check, {@code %h} = real IP, {@code %p} = port
 * @param loadMonitor {@code load_monitor} ("none")
 * @param timeout {@code timeout} (10 s): probe interval, and probe timeout unless {@code
 *     probe_timeout} is set
 * @param reentry {@code reentry} (180 s): see {@link #reentryCount()}
 * @param quiesceServer {@code quiesce_server}: a failed server gets weight 0 instead of removal
 * @param clientMonitor {@code client_monitor} (/usr/sbin/nanny): kept, unused by lvs-pulse
 * @param startCmd {@code start_cmd} (FOS)
 * @param stopCmd {@code stop_cmd} (FOS)
 * @param master {@code master} (FOS)
 * @param dirs {@code dirs = [ ... ]} (FOS)
 * @param probeTimeoutOverride lvs-pulse extension {@code probe_timeout}: per-probe timeout shorter
 *     than the interval
 * @param slowStart lvs-pulse extension {@code slow_start} (1): Piranha's weight ramp-up (weight/32,
 *     doubling) when a server (re)joins
 * @param mhPort lvs-pulse extension {@code mh_port} (0): in ECMP mode, hash the client's port too
 *     ({@code -b mh-fallback,mh-port}); off, {@code mh} hashes the client's address alone, which
 *     TFTP needs (its RRQ and ACKs come from one address but are different flows)
 * @param servers the {@code server} blocks in file order
 */
public record VirtualService(
    String name,
    boolean active,
    Optional<VirtualAddress> address,
    Optional<InetAddress> vipNetmask,
    Optional<InetAddress> sorryServer,
    int fwmark,
    int port,
    Protocol protocol,
    Scheduler scheduler,
    Duration persistent,
    Optional<InetAddress> pmask,
    Optional<String> send,
    Optional<String> expect,
    boolean useRegex,
    Optional<String> sendProgram,
    String loadMonitor,
    Duration timeout,
    Duration reentry,
    boolean quiesceServer,
    Path clientMonitor,
    Optional<String> startCmd,
    Optional<String> stopCmd,
    Optional<InetAddress> master,
    List<String> dirs,
    Optional<Duration> probeTimeoutOverride,
    boolean slowStart,
    boolean mhPort,
    List<RealServer> servers) {

  public static final int DEFAULT_PORT = 80;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REENTRY = Duration.ofSeconds(180);
  public static final Path DEFAULT_CLIENT_MONITOR = Path.of("/usr/sbin/nanny");
  public static final String DEFAULT_LOAD_MONITOR = "none";

  public VirtualService {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(vipNetmask, "vipNetmask");
    Objects.requireNonNull(sorryServer, "sorryServer");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(persistent, "persistent");
    Objects.requireNonNull(pmask, "pmask");
    Objects.requireNonNull(send, "send");
    Objects.requireNonNull(expect, "expect");
    Objects.requireNonNull(sendProgram, "sendProgram");
    Objects.requireNonNull(loadMonitor, "loadMonitor");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(reentry, "reentry");
    Objects.requireNonNull(clientMonitor, "clientMonitor");
    Objects.requireNonNull(startCmd, "startCmd");
    Objects.requireNonNull(stopCmd, "stopCmd");
    Objects.requireNonNull(master, "master");
    Objects.requireNonNull(probeTimeoutOverride, "probeTimeoutOverride");
    dirs = List.copyOf(dirs);
    servers = List.copyOf(servers);
  }

  /** A builder with Piranha's defaults for a block named {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** True when this is a firewall-mark service ({@code fwmark} non-zero). */
  public boolean isFwmark() {
    return fwmark != 0;
  }

  /** The VIP, if {@code address} is set. */
  public Optional<InetAddress> vip() {
    return address.map(VirtualAddress::address);
  }

  /** Interval between two probes of one real server: {@code timeout}. */
  public Duration probeInterval() {
    return timeout;
  }

  /** Per-probe timeout: {@code probe_timeout} if given, else {@code timeout} (Piranha). */
  public Duration probeTimeout() {
    return probeTimeoutOverride.orElse(timeout);
  }

  /**
   * The probe settings of this block as one value. Each call builds a new one: a caller that keeps
   * it for every server takes it once per virtual service (the monitor does), so the servers share
   * it.
   */
  public ProbeSpec probe() {
    return new ProbeSpec(
        send,
        expect,
        useRegex,
        sendProgram,
        probeInterval(),
        probeTimeout(),
        protocol,
        port,
        fwmark);
  }

  /**
   * Consecutive successful probes a failed server needs before it re-enters: {@code max(1,
   * floor(reentry / timeout))} (nanny's {@code countThresh}, at least 1).
   */
  public int reentryCount() {
    long t = timeout.toMillis();
    if (t <= 0) {
      return 1;
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, reentry.toMillis() / t));
  }

  /** Persistence timeout in seconds for {@code ipvsadm -p}, 0 = not persistent. */
  public long persistentSeconds() {
    return persistent.toSeconds();
  }

  /** The real servers with {@code active = 1}, in file order. */
  public List<RealServer> activeServers() {
    List<RealServer> out = new ArrayList<>();
    for (RealServer s : servers) {
      if (s.active()) {
        out.add(s);
      }
    }
    return List.copyOf(out);
  }

  /** A builder starting from this block. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.active = active;
    b.address = address;
    b.vipNetmask = vipNetmask;
    b.sorryServer = sorryServer;
    b.fwmark = fwmark;
    b.port = port;
    b.protocol = protocol;
    b.scheduler = scheduler;
    b.persistent = persistent;
    b.pmask = pmask;
    b.send = send;
    b.expect = expect;
    b.useRegex = useRegex;
    b.sendProgram = sendProgram;
    b.loadMonitor = loadMonitor;
    b.timeout = timeout;
    b.reentry = reentry;
    b.quiesceServer = quiesceServer;
    b.clientMonitor = clientMonitor;
    b.startCmd = startCmd;
    b.stopCmd = stopCmd;
    b.master = master;
    b.dirs = new ArrayList<>(dirs);
    b.probeTimeoutOverride = probeTimeoutOverride;
    b.slowStart = slowStart;
    b.mhPort = mhPort;
    b.servers = new ArrayList<>(servers);
    return b;
  }

  /** Mutable builder; fields start at Piranha's defaults. */
  public static final class Builder {
    public String name;
    public boolean active;
    public Optional<VirtualAddress> address = Optional.empty();
    public Optional<InetAddress> vipNetmask = Optional.empty();
    public Optional<InetAddress> sorryServer = Optional.empty();
    public int fwmark;
    public int port = DEFAULT_PORT;
    public Protocol protocol = Protocol.TCP;
    public Scheduler scheduler = Scheduler.WLC;
    public Duration persistent = Duration.ZERO;
    public Optional<InetAddress> pmask = Optional.empty();
    public Optional<String> send = Optional.empty();
    public Optional<String> expect = Optional.empty();
    public boolean useRegex;
    public Optional<String> sendProgram = Optional.empty();
    public String loadMonitor = DEFAULT_LOAD_MONITOR;
    public Duration timeout = DEFAULT_TIMEOUT;
    public Duration reentry = DEFAULT_REENTRY;
    public boolean quiesceServer;
    public Path clientMonitor = DEFAULT_CLIENT_MONITOR;
    public Optional<String> startCmd = Optional.empty();
    public Optional<String> stopCmd = Optional.empty();
    public Optional<InetAddress> master = Optional.empty();
    public List<String> dirs = new ArrayList<>();
    public Optional<Duration> probeTimeoutOverride = Optional.empty();
    public boolean slowStart = true;
    public boolean mhPort;
    public List<RealServer> servers = new ArrayList<>();

    Builder(String name) {
      this.name = name;
    }

    public VirtualService build() {
      return new VirtualService(
          name,
          active,
          address,
          vipNetmask,
          sorryServer,
          fwmark,
          port,
          protocol,
          scheduler,
          persistent,
          pmask,
          send,
          expect,
          useRegex,
          sendProgram,
          loadMonitor,
          timeout,
          reentry,
          quiesceServer,
          clientMonitor,
          startCmd,
          stopCmd,
          master,
          dirs,
          probeTimeoutOverride,
          slowStart,
          mhPort,
          servers);
    }
  }
}
