package io.lvspulse.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/** Random models the parser could produce (for round-trip tests), from a seeded Random. */
final class ModelGenerator {
  private final Random r;

  ModelGenerator(long seed) {
    this.r = new Random(seed);
  }

  LvsConfig config() {
    List<VirtualService> virtuals = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      String name = uniqueName(names, "v");
      virtuals.add(virtual(name, i));
    }
    List<VirtualService> failovers = new ArrayList<>();
    Set<String> fnames = new HashSet<>();
    for (int i = r.nextInt(2); i > 0; i--) {
      failovers.add(virtual(uniqueName(fnames, "f"), 100 + i));
    }
    return new LvsConfig(global(), virtuals, failovers);
  }

  private String uniqueName(Set<String> used, String prefix) {
    while (true) {
      String s =
          r.nextInt(4) == 0
              ? pick("web", "tftp", "dns", "smtp", "x-1", "a.b")
              : prefix + r.nextInt(1000);
      if (used.add(s)) {
        return s;
      }
    }
  }

  private String pick(String... s) {
    return s[r.nextInt(s.length)];
  }

  /** An address of the family of {@code v6} (an IPv6 one is global or unique-local). */
  private InetAddress ip(boolean v6) {
    if (!v6) {
      return ip();
    }
    byte[] b = new byte[16];
    r.nextBytes(b);
    b[0] = r.nextBoolean() ? (byte) 0xfd : 0x20;
    if (r.nextBoolean()) {
      java.util.Arrays.fill(b, 2, 14, (byte) 0); // a compressible form: fd12::abcd
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** A netmask of the family of {@code v6}: an IPv6 one is written as a prefix length. */
  private InetAddress mask(boolean allowFull, boolean v6) {
    return v6
        ? io.lvspulse.net.Addresses.netmask(1 + r.nextInt(allowFull ? 128 : 127), true)
        : mask(allowFull);
  }

  private InetAddress ip() {
    byte[] b = new byte[4];
    r.nextBytes(b);
    if (b[0] == 0) {
      b[0] = 10;
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private InetAddress mask(boolean allowFull) {
    int bits = 1 + r.nextInt(allowFull ? 32 : 31);
    long m = (0xffffffffL << (32 - bits)) & 0xffffffffL;
    try {
      return InetAddress.getByAddress(
          new byte[] {(byte) (m >>> 24), (byte) (m >>> 16), (byte) (m >>> 8), (byte) m});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private <T> Optional<T> maybe(T t) {
    return r.nextBoolean() ? Optional.of(t) : Optional.empty();
  }

  /** Text a quoted lvs.cf value can hold: any printable characters but not both quote kinds. */
  private String text() {
    String alphabet = "abcXYZ019 -_./%:\\#={}[]*^$()";
    StringBuilder b = new StringBuilder();
    int len = 1 + r.nextInt(20);
    for (int i = 0; i < len; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    if (r.nextInt(5) == 0) {
      b.append(r.nextBoolean() ? '"' : '\'');
    }
    return b.toString();
  }

  private String word() {
    return pick(
        "eth0", "eth1:2", "bond0.100", "ens3:1", "NONE", "DEBUG", "ssh", "rsh", "none", "uptime");
  }

  GlobalSettings global() {
    GlobalSettings.Builder g = GlobalSettings.builder();
    g.serialNo = r.nextInt(100) - 10;
    boolean v6 = r.nextInt(3) == 0; // the directors' family: heartbeats need one
    g.primary = maybe(ip(v6));
    g.primaryPrivate = g.primary.isPresent() ? maybe(ip(v6)) : Optional.empty();
    g.primaryShared = maybe(word());
    g.backup = maybe(ip(v6));
    g.backupPrivate = g.backup.isPresent() ? maybe(ip(v6)) : Optional.empty();
    g.backupShared = maybe(word());
    g.backupActive = r.nextBoolean();
    g.heartbeat = r.nextBoolean();
    g.heartbeatPort = 1 + r.nextInt(65535);
    g.keepalive =
        r.nextBoolean()
            ? Duration.ofSeconds(1 + r.nextInt(10))
            : Duration.ofMillis(50 + r.nextInt(3000));
    g.deadtime =
        r.nextBoolean()
            ? Duration.ofSeconds(1 + r.nextInt(30))
            : Duration.ofMillis(50 + r.nextInt(9000));
    g.network = pick(Network.values());
    boolean natV6 = r.nextInt(3) == 0;
    g.natRouter = maybe(new NatRouter(ip(natV6), word()));
    g.natNetmask = g.natRouter.isPresent() ? maybe(mask(true, natV6)) : Optional.empty();
    g.service = pick(ServiceType.values());
    g.debugLevel = word();
    g.rshCommand = pick("rsh", "ssh", "/usr/bin/ssh -l root");
    g.sync = r.nextBoolean();
    g.ipvsadm = Path.of(pick("/sbin/ipvsadm", "/usr/sbin/ipvsadm", "/opt/my tools/ipvsadm"));
    g.activeCmd = maybe(text());
    g.inactiveCmd = maybe(text());
    g.monitorLinks = r.nextBoolean();
    g.syncdaemon = r.nextBoolean();
    g.syncdIface = word();
    g.syncdId = r.nextInt(256);
    g.tcpTimeout = r.nextInt(1000);
    g.tcpfinTimeout = r.nextInt(200);
    g.udpTimeout = r.nextInt(100);
    g.hardShutdown = r.nextBoolean();
    g.reservationConflictAction = maybe(pick(ReservationConflictAction.values()));
    g.heartbeatKeyFile = maybe(Path.of("/etc/lvs-pulse/heartbeat.key"));
    g.failback = r.nextBoolean();
    g.manageFirewall = r.nextBoolean();
    g.directorMode = pick(DirectorMode.values());
    g.announceQuorum = 1 + r.nextInt(5);
    g.announceRise = 1 + r.nextInt(5);
    g.announceFall = 1 + r.nextInt(5);
    g.announceInterval =
        r.nextBoolean()
            ? Duration.ofMillis(1 + r.nextInt(5000))
            : Duration.ofSeconds(1 + r.nextInt(9));
    g.birdSocket = r.nextBoolean() ? Path.of("/run/bird/bird.ctl") : Path.of("/run/bird/x y.ctl");
    return g.build();
  }

  @SafeVarargs
  private <T> T pick(T... xs) {
    return xs[r.nextInt(xs.length)];
  }

  VirtualService virtual(String name, int index) {
    VirtualService.Builder b = VirtualService.builder(name);
    b.active = r.nextBoolean();
    boolean v6 = r.nextInt(3) == 0; // a virtual service is one address family
    b.address =
        b.active
            ? Optional.of(new VirtualAddress(ip(v6), word()))
            : maybe(new VirtualAddress(ip(v6), word()));
    b.vipNetmask = maybe(mask(true, v6));
    b.sorryServer = maybe(ip(v6));
    b.fwmark = r.nextBoolean() ? 0 : 1 + index;
    b.port = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(65535);
    b.protocol = pick(Protocol.values());
    b.scheduler = pick(Scheduler.values());
    b.persistent = Duration.ofSeconds(r.nextBoolean() || b.port == 0 ? 1 + r.nextInt(3600) : 0);
    b.pmask = maybe(mask(false, v6));
    b.send = maybe(text());
    b.expect = maybe(text());
    b.useRegex = r.nextBoolean();
    if (b.useRegex && b.expect.isPresent()) {
      b.expect = Optional.of(pick("^220 .*ESMTP", "OK", "HTTP/1\\.[01] 200", "a|b"));
    }
    b.sendProgram = maybe(text()).filter(p -> !p.isBlank()); // a blank one is an error
    b.loadMonitor = pick("none", "uptime", "ruptime", "rup");
    b.timeout = Duration.ofSeconds(1 + r.nextInt(60));
    b.reentry = Duration.ofSeconds(1 + r.nextInt(600));
    b.quiesceServer = r.nextBoolean();
    b.clientMonitor = Path.of(pick("/usr/sbin/nanny", "/opt/nanny"));
    b.startCmd = maybe(text());
    b.stopCmd = maybe(text());
    b.master = maybe(ip());
    b.dirs = r.nextBoolean() ? List.of() : List.of("/var/ftp", "/srv/x y");
    b.probeTimeoutOverride =
        maybe(
            r.nextBoolean()
                ? Duration.ofMillis(1 + r.nextInt(5000))
                : Duration.ofSeconds(1 + r.nextInt(9)));
    b.slowStart = r.nextBoolean();
    b.mhPort = r.nextBoolean();
    List<RealServer> servers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      servers.add(
          new RealServer(
              uniqueName(names, "rs"),
              ip(v6),
              r.nextBoolean(),
              r.nextInt(RealServer.MAX_WEIGHT + 1),
              r.nextBoolean() ? b.port : r.nextInt(65536)));
    }
    b.servers = servers;
    return b.build();
  }
}
