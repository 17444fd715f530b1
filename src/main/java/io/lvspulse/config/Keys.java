package io.lvspulse.config;

import io.lvspulse.net.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Every lvs.cf key, each declared once (as keepalived's {@code install_keyword(name, handler)}):
 * its section, how its values are read ({@link Type}: how many, and the reader that reports a bad
 * one), what a value looks like, whether it is Piranha's or an lvs-pulse extension, a one-line doc,
 * the setter that puts the value into the model's builder, and how the writer prints it back. The
 * default is what the writer prints for the model's default, so it cannot drift from the builders.
 *
 * <p>The parser ({@link LvsConfigParser}), the writer ({@link LvsConfigWriter}) and the generated
 * references ({@code docs/configuration.md}, {@code man/lvs.cf.5}) all read this table. A new key
 * is one declaration below plus its record component (and builder field) in {@link GlobalSettings}
 * or {@link VirtualService}.
 */
public final class Keys {
  private Keys() {}

  /** Where a key may be written. {@code VIRTUAL} covers {@code virtual} and {@code failover}. */
  public enum Section {
    GLOBAL("the global section"),
    VIRTUAL("a virtual or failover block"),
    SERVER("a server block");

    private final String where;

    Section(String where) {
      this.where = where;
    }

    /** Human wording, for messages. */
    public String where() {
      return where;
    }
  }

  /** Value count meaning "a bracketed list {@code [ a b ... ]}". */
  public static final int LIST = -1;

  /**
   * One key, as the references describe it.
   *
   * @param name the key
   * @param section where it belongs
   * @param arity number of values, or {@link #LIST}
   * @param expected what a value looks like, for messages and the references
   * @param extension true for lvs-pulse keys Piranha does not know
   * @param defaultValue the value when the key is not written, as lvs.cf text ({@code unset} when
   *     there is none)
   * @param doc one sentence: what lvs-pulse does with it
   */
  public record Spec(
      String name,
      Section section,
      int arity,
      String expected,
      boolean extension,
      String defaultValue,
      String doc) {}

  /** A server block with the virtual block it is in (the writer prints a server's port from it). */
  record InVirtual(VirtualService virtual, RealServer server) {}

  /**
   * How a key's values are read.
   *
   * @param arity how many values, or {@link #LIST}
   * @param read the value of the directive, or empty after reporting why it is bad
   */
  record Type<T>(int arity, Function<Value, Optional<T>> read) {}

  /**
   * A key with its behaviour.
   *
   * @param <B> what the parser fills (a builder)
   * @param <M> what the writer prints from (the model)
   * @param <T> the value type
   */
  record Key<B, M, T>(
      Spec spec,
      Type<T> type,
      BiConsumer<B, T> set,
      Function<M, Optional<String>> write,
      boolean alwaysWritten) {

    /** Reads the directive's values and, if they are good, sets them. */
    void apply(Value v, B target) {
      type.read().apply(v).ifPresent(x -> set.accept(target, x));
    }

    /** The text the writer prints for {@code model}, if the key is written for it. */
    Optional<String> written(M model, @Nullable M defaults) {
      Optional<String> text = write.apply(model);
      if (alwaysWritten || text.isEmpty() || defaults == null) {
        return text;
      }
      return text.equals(write.apply(defaults)) ? Optional.empty() : text;
    }
  }

  private static final GlobalSettings GLOBAL_DEFAULTS = GlobalSettings.defaults();
  private static final VirtualService VIRTUAL_DEFAULTS = VirtualService.builder("").build();
  private static final InVirtual SERVER_DEFAULTS =
      new InVirtual(
          VIRTUAL_DEFAULTS,
          new RealServer(
              "",
              Objects.requireNonNull(CNumbers.inetAton("0.0.0.0")),
              false,
              1,
              VirtualService.DEFAULT_PORT));

  private static final Map<String, Key<GlobalSettings.Builder, GlobalSettings, ?>> GLOBAL_KEYS =
      new LinkedHashMap<>();
  private static final Map<String, Key<VirtualService.Builder, VirtualService, ?>> VIRTUAL_KEYS =
      new LinkedHashMap<>();
  private static final Map<String, Key<ServerBlock, InVirtual, ?>> SERVER_KEYS =
      new LinkedHashMap<>();

  // ---------------------------------------------------------------- value types

  private static <T> Type<T> one(Function<Value, Optional<T>> read) {
    return new Type<>(1, read);
  }

  private static final Type<Boolean> BOOL = one(Value::bool);
  private static final Type<InetAddress> HOST = one(v -> v.address(true));
  private static final Type<InetAddress> NON_ZERO_HOST = one(Value::nonZeroHost);
  private static final Type<Path> PATH = one(Value::path);

  /** A string; the empty string means "not set". */
  private static final Type<Optional<String>> STRING = one(v -> Optional.of(v.string()));

  /** A netmask; 0.0.0.0 means "not set". */
  private static final Type<Optional<InetAddress>> NETMASK = one(v -> v.netmask().map(Keys::set));

  private static Type<Integer> integer(long min, long max) {
    return one(v -> v.intIn(min, max));
  }

  private static Type<Duration> seconds(long min) {
    return one(v -> v.seconds(min));
  }

  private static <E extends Keyword> Type<E> keyword(E[] values) {
    return one(v -> v.keyword(values));
  }

  /** Text that must not be empty ({@code hint} is added to the message). */
  private static Type<String> nonEmpty(String hint) {
    return one(
        v -> {
          if (v.text().isEmpty()) {
            v.error("'" + v.key() + "' must not be empty" + hint);
            return Optional.empty();
          }
          return Optional.of(v.text());
        });
  }

  private static Optional<InetAddress> set(InetAddress a) {
    return Addresses.isUnspecified(a) ? Optional.empty() : Optional.of(a);
  }

  // ---------------------------------------------------------------- writer forms

  private static String bool(boolean b) {
    return b ? "1" : "0";
  }

  private static String num(long n) {
    return Long.toString(n);
  }

  private static String ip(InetAddress a) {
    return Addresses.canonical(a);
  }

  /** A dotted netmask as Piranha writes it; an IPv6 one as its prefix length (64). */
  private static String mask(InetAddress m) {
    return m instanceof Inet6Address ? num(Addresses.prefixLength(m)) : m.getHostAddress();
  }

  private static String secs(Duration d) {
    return Long.toString(d.toSeconds());
  }

  /** The shortest fractional {@code keepalive} and {@code deadtime}. */
  static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(50);

  /** {@code 2} for whole seconds, else {@code 0.2} (at most 3 decimals). */
  static String fractionalSeconds(Duration d) {
    if (d.toMillis() % 1000 == 0) {
      return Long.toString(d.toSeconds());
    }
    return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  private static String path(Path p) {
    return LvsConfigWriter.word(p.toString());
  }

  private static String word(String s) {
    return LvsConfigWriter.word(s);
  }

  private static String quoted(String s) {
    return LvsConfigWriter.quoted(s);
  }

  /** {@code 3} for whole seconds, else {@code 500ms}. */
  private static String duration(Duration d) {
    return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : d.toMillis() + "ms";
  }

  // ---------------------------------------------------------------- the table

  static {
    // ---- global section
    global("serial_no")
        .takes(integer(Integer.MIN_VALUE, Integer.MAX_VALUE), "an integer")
        .piranha(
            "Revision counter of the Piranha GUI; exported as lvs_pulse_config_serial_no,"
                + " otherwise ignored.")
        .sets((g, x) -> g.serialNo = x)
        .writes(g -> num(g.serialNo()));
    global("primary")
        .takes(NON_ZERO_HOST, "an IPv4 or IPv6 address, or a host name")
        .piranha(
            "Public address of the primary director: a director that holds it is the primary"
                + " (as pulse), and the backup sends its heartbeats there.")
        .sets((g, x) -> g.primary = Optional.of(x))
        .writesIfSet(g -> g.primary().map(Keys::ip));
    global("primary_private")
        .takes(NON_ZERO_HOST, "an IPv4 or IPv6 address, or a host name")
        .piranha("Second heartbeat path to and from the primary.")
        .byDefault("the value of primary")
        .sets((g, x) -> g.primaryPrivate = Optional.of(x))
        .writesIfSet(
            g ->
                g.primaryPrivate().equals(g.primary())
                    ? Optional.empty()
                    : g.primaryPrivate().map(Keys::ip));
    global("primary_shared")
        .takes(STRING, "a string")
        .piranha("FOS shared device; parsed, ignored.")
        .sets((g, x) -> g.primaryShared = x)
        .writesIfSet(g -> g.primaryShared().map(Keys::word));
    global("backup")
        .takes(HOST, "an IPv4 or IPv6 address, or a host name")
        .piranha("Public address of the backup director; the primary sends its heartbeats there.")
        .sets((g, x) -> g.backup = Optional.of(x))
        .writesIfSet(g -> g.backup().map(Keys::ip));
    global("backup_private")
        .takes(NON_ZERO_HOST, "an IPv4 or IPv6 address, or a host name")
        .piranha("Second heartbeat path to and from the backup.")
        .byDefault("the value of backup")
        .sets((g, x) -> g.backupPrivate = Optional.of(x))
        .writesIfSet(
            g ->
                g.backupPrivate().equals(g.backup())
                    ? Optional.empty()
                    : g.backupPrivate().map(Keys::ip));
    global("backup_shared")
        .takes(STRING, "a string")
        .piranha("FOS shared device; parsed, ignored.")
        .sets((g, x) -> g.backupShared = x)
        .writesIfSet(g -> g.backupShared().map(Keys::word));
    global("backup_active")
        .takes(BOOL, "0 or 1")
        .piranha(
            "0: there is no backup director, no heartbeat is sent and the primary goes active"
                + " after deadtime.")
        .sets((g, x) -> g.backupActive = x)
        .shows(g -> bool(g.backupActive()));
    global("heartbeat")
        .takes(BOOL, "0 or 1")
        .piranha("Parsed, no effect (Piranha's daemons never read it either).")
        .sets((g, x) -> g.heartbeat = x)
        .shows(g -> bool(g.heartbeat()));
    global("heartbeat_port")
        .takes(
            one(
                v ->
                    v.port()
                        .filter(
                            p -> {
                              if (p == 0) {
                                v.error("'" + v.key() + "' must be between 1 and 65535, found 0");
                              }
                              return p != 0;
                            })),
            "a port number or service name")
        .piranha("UDP port of the heartbeat, wire-compatible with pulse.")
        .sets((g, x) -> g.heartbeatPort = x)
        .shows(g -> num(g.heartbeatPort()));
    global("keepalive")
        .takes(
            one(v -> v.secondsOrFraction(1, MIN_HEARTBEAT_INTERVAL)),
            "seconds; lvs-pulse also takes fractions such as 0.2")
        .piranha(
            "Interval between two heartbeats. Whole seconds as in Piranha; a fraction (0.2, at"
                + " least 0.05) is an lvs-pulse extension for sub-second takeover, with a warning"
                + " that pulse cannot read the file.")
        .sets((g, x) -> g.keepalive = x)
        .shows(g -> fractionalSeconds(g.keepalive()));
    global("deadtime")
        .takes(
            one(v -> v.secondsOrFraction(1, MIN_HEARTBEAT_INTERVAL)),
            "seconds; lvs-pulse also takes fractions such as 0.8")
        .piranha(
            "Silence after which the partner is dead and this director takes over (a warning"
                + " if it is not longer than keepalive). A fraction (0.8) is an lvs-pulse"
                + " extension, as for keepalive.")
        .sets((g, x) -> g.deadtime = x)
        .shows(g -> fractionalSeconds(g.deadtime()));
    global("network")
        .takes(keyword(Network.values()), "direct, nat or tunnel")
        .piranha("Forwarding method of every real server (ipvsadm -g, -m or -i).")
        .sets((g, x) -> g.network = x)
        .shows(g -> g.network().keyword());
    global("nat_router")
        .takes(
            new Type<>(2, v -> v.address(true).map(a -> new NatRouter(a, v.token(1).text()))),
            "an address and a device, e.g. 10.0.0.254 eth1:1")
        .piranha(
            "NAT: the real servers' gateway address, brought up on the device by the active"
                + " director.")
        .sets((g, x) -> g.natRouter = Optional.of(x))
        .writesIfSet(g -> g.natRouter().map(r -> ip(r.address()) + " " + word(r.device())));
    global("nat_nmask")
        .takes(NETMASK, "a netmask such as 255.255.255.0, or a prefix length (IPv6)")
        .piranha("Netmask of nat_router.")
        .sets((g, x) -> g.natNetmask = x)
        .writesIfSet(g -> g.natNetmask().map(Keys::mask));
    global("service")
        .takes(keyword(ServiceType.values()), "lvs or fos")
        .piranha("lvs-pulse runs LVS; fos gets a warning and the failover blocks are ignored.")
        .sets((g, x) -> g.service = x)
        .shows(g -> g.service().keyword());
    global("debug_level")
        .takes(one(v -> Optional.of(v.text())), "a string")
        .piranha("Kept; logging is configured through Logback.")
        .sets((g, x) -> g.debugLevel = x)
        .writes(g -> word(g.debugLevel()));
    global("rsh_command")
        .takes(nonEmpty(""), "a command (rsh or ssh)")
        .piranha("Kept (the transport of Piranha's load_monitor = uptime).")
        .sets((g, x) -> g.rshCommand = x)
        .writes(g -> word(g.rshCommand()));
    global("sync")
        .takes(BOOL, "0 or 1")
        .piranha("Parsed, ignored (legacy file sync).")
        .sets((g, x) -> g.sync = x)
        .writes(g -> bool(g.sync()));
    global("ipvsadm")
        .takes(PATH, "the path of ipvsadm")
        .piranha("The ipvsadm binary lvs-pulse runs.")
        .sets((g, x) -> g.ipvsadm = x)
        .writes(g -> path(g.ipvsadm()));
    global("active_cmd")
        .takes(STRING, "a command")
        .piranha("Run when the director becomes active (arguments split on blanks, no shell).")
        .sets((g, x) -> g.activeCmd = x)
        .writesIfSet(g -> g.activeCmd().map(Keys::quoted));
    global("inactive_cmd")
        .takes(STRING, "a command")
        .piranha("Run when the director becomes inactive.")
        .sets((g, x) -> g.inactiveCmd = x)
        .writesIfSet(g -> g.inactiveCmd().map(Keys::quoted));
    global("monitor_links")
        .takes(one(v -> v.number().map(n -> n != 0)), "0 or 1")
        .piranha(
            "Watch the link state of the interfaces: a director with a link down gives up or"
                + " refuses the active role (any non-zero number is on).")
        .sets((g, x) -> g.monitorLinks = x)
        .writes(g -> bool(g.monitorLinks()));
    global("syncdaemon")
        .takes(BOOL, "0 or 1")
        .piranha(
            "Run the kernel's IPVS connection-sync daemon: master when active, backup when"
                + " inactive.")
        .sets((g, x) -> g.syncdaemon = x)
        .writes(g -> bool(g.syncdaemon()));
    global("syncd_iface")
        .takes(nonEmpty(""), "an interface name")
        .piranha("The sync daemon's multicast interface (--mcast-interface).")
        .sets((g, x) -> g.syncdIface = x)
        .writes(g -> word(g.syncdIface()));
    global("syncd_id")
        .takes(
            one(
                v ->
                    v.intIn(Integer.MIN_VALUE, Integer.MAX_VALUE)
                        .map(
                            n -> {
                              if (n < 0 || n > 255) {
                                v.warn(
                                    "'syncd_id = "
                                        + n
                                        + "' is outside 0..255; it is masked to "
                                        + (n & 0xff)
                                        + " as in Piranha");
                              }
                              return n & 0xff;
                            })),
            "an integer 0..255")
        .piranha(
            "The sync daemon's --syncid, masked to 0..255 as in Piranha (a warning if it had"
                + " to be).")
        .sets((g, x) -> g.syncdId = x)
        .writes(g -> num(g.syncdId()));
    global("tcp_timeout")
        .takes(integer(0, Integer.MAX_VALUE), "seconds (0 = unchanged)")
        .piranha("IPVS TCP timeout (ipvsadm --set); 0 leaves the kernel's value.")
        .sets((g, x) -> g.tcpTimeout = x)
        .writes(g -> num(g.tcpTimeout()));
    global("tcpfin_timeout")
        .takes(integer(0, Integer.MAX_VALUE), "seconds (0 = unchanged)")
        .piranha("IPVS TCP FIN timeout (ipvsadm --set); 0 leaves the kernel's value.")
        .sets((g, x) -> g.tcpfinTimeout = x)
        .writes(g -> num(g.tcpfinTimeout()));
    global("udp_timeout")
        .takes(integer(0, Integer.MAX_VALUE), "seconds (0 = unchanged)")
        .piranha("IPVS UDP timeout (ipvsadm --set); 0 leaves the kernel's value.")
        .sets((g, x) -> g.udpTimeout = x)
        .writes(g -> num(g.udpTimeout()));
    global("hard_shutdown")
        .takes(BOOL, "0 or 1")
        .piranha(
            "Parsed, no effect: in Piranha a dying nanny tore all of LVS down; in lvs-pulse"
                + " a failing probe or ipvsadm call is reported and retried, never fatal.")
        .sets((g, x) -> g.hardShutdown = x)
        .writes(g -> bool(g.hardShutdown()));
    global("reservation_conflict_action")
        .takes(keyword(ReservationConflictAction.values()), "nothing or preempt")
        .piranha("FOS only; parsed, ignored.")
        .sets((g, x) -> g.reservationConflictAction = Optional.of(x))
        .writesIfSet(g -> g.reservationConflictAction().map(ReservationConflictAction::keyword));
    global("heartbeat_key_file")
        .takes(PATH, "the path of the heartbeat key file")
        .extension(
            "Authenticated heartbeats with the key in this file (the same file on both"
                + " directors); unset: Piranha's plain 4-byte heartbeat.")
        .sets((g, x) -> g.heartbeatKeyFile = Optional.of(x))
        .writesIfSet(g -> g.heartbeatKeyFile().map(Keys::path));
    global("failback")
        .takes(BOOL, "0 or 1")
        .extension(
            "1: the primary takes the active role back once it is healthy again (Piranha has no"
                + " automatic failback).")
        .sets((g, x) -> g.failback = x)
        .writes(g -> bool(g.failback()));
    global("manage_firewall")
        .takes(BOOL, "0 or 1")
        .extension("1: lvs-pulse installs the fwmark rules that firewall-rules prints.")
        .sets((g, x) -> g.manageFirewall = x)
        .writes(g -> bool(g.manageFirewall()));

    global("director_mode")
        .takes(keyword(DirectorMode.values()), "pair or ecmp")
        .extension(
            "pair: one active director, the backup takes over by heartbeat (Piranha); ecmp: every"
                + " director is active and announces its VIPs to the router through BIRD, and IPVS"
                + " uses mh (docs/ecmp.md).")
        .sets((g, x) -> g.directorMode = x)
        .writes(g -> g.ecmp().mode().keyword());
    global("announce_quorum")
        .takes(integer(1, Integer.MAX_VALUE), "an integer, at least 1")
        .extension(
            "ECMP: real servers that must be up in each virtual service of a VIP for this director"
                + " to announce it.")
        .sets((g, x) -> g.announceQuorum = x)
        .writes(g -> num(g.ecmp().announceQuorum()));
    global("announce_rise")
        .takes(integer(1, 1000), "an integer 1..1000")
        .extension("ECMP: healthy evaluations in a row before a VIP is announced.")
        .sets((g, x) -> g.announceRise = x)
        .writes(g -> num(g.ecmp().announceRise()));
    global("announce_fall")
        .takes(integer(1, 1000), "an integer 1..1000")
        .extension("ECMP: unhealthy evaluations in a row before a VIP is withdrawn.")
        .sets((g, x) -> g.announceFall = x)
        .writes(g -> num(g.ecmp().announceFall()));
    global("announce_interval")
        .takes(one(Value::duration), "a duration such as 1 or 500ms")
        .extension(
            "ECMP: the period of the announce evaluations and of the loop that converges BIRD.")
        .sets((g, x) -> g.announceInterval = x)
        .writes(g -> duration(g.ecmp().announceInterval()));
    global("bird_socket")
        .takes(PATH, "the path of BIRD's control socket")
        .extension("ECMP: BIRD's control socket, which lvs-pulse switches the VIP routes through.")
        .sets((g, x) -> g.birdSocket = x)
        .writes(g -> path(g.ecmp().birdSocket()));

    // ---- virtual and failover blocks, in the order Piranha's GUI writes them
    virtual("active")
        .takes(BOOL, "0 or 1")
        .piranha("Only an active virtual service gets an IPVS service and probes.")
        .sets((b, x) -> b.active = x)
        .shows(v -> bool(v.active()));
    virtual("address")
        .takes(
            new Type<>(
                2,
                v -> {
                  Optional<InetAddress> a = v.address(true);
                  String dev = v.token(1).text();
                  if (dev.isEmpty()) {
                    v.error(v.token(1), "the device of 'address' must not be empty (e.g. eth0:1)");
                    return Optional.empty();
                  }
                  return a.map(x -> new VirtualAddress(x, dev));
                }),
            "a VIP and a device, e.g. 203.0.113.10 eth0:1 or 2001:db8::10 eth0")
        .piranha(
            "The VIP and the alias device the active director brings it up on (with gratuitous"
                + " ARP; an IPv6 VIP, an extension, as VIP/128 without DAD, with an unsolicited"
                + " neighbour advertisement); required when active, fwmark services included; a virtual"
                + " service is one address family.")
        .sets((b, x) -> b.address = Optional.of(x))
        .writesIfSet(v -> v.address().map(a -> ip(a.address()) + " " + word(a.device())));
    virtual("vip_nmask")
        .takes(NETMASK, "a netmask such as 255.255.255.0, or a prefix length (IPv6)")
        .piranha(
            "Netmask used when bringing the VIP up; for an IPv6 VIP a prefix length (default"
                + " 128).")
        .sets((b, x) -> b.vipNetmask = x)
        .writesIfSet(v -> v.vipNetmask().map(Keys::mask));
    virtual("sorry_server")
        .takes(one(v -> v.address(false).map(Keys::set)), "an IPv4 or IPv6 address (no host name)")
        .piranha(
            "Added with weight 1 while no real server of the service is healthy; removed when"
                + " one returns.")
        .sets((b, x) -> b.sorryServer = x)
        .writesIfSet(v -> v.sorryServer().map(Keys::ip));
    virtual("fwmark")
        .takes(integer(0, Integer.MAX_VALUE), "a firewall mark (integer, 0 = none)")
        .piranha(
            "Non-zero: the IPVS service is -f MARK (-f MARK -6 for an IPv6 VIP) instead of"
                + " VIP:PORT, and firewall-rules marks its traffic; two active virtual services of"
                + " one address family cannot share a mark.")
        .sets((b, x) -> b.fwmark = x)
        .writes(v -> num(v.fwmark()));
    virtual("port")
        .takes(
            one(
                v ->
                    v.port()
                        .map(
                            p -> {
                              for (ServerBlock s : v.serversAboveSinceLastPort()) {
                                if (!s.keys.containsKey("port") && s.port != p) {
                                  v.warn(
                                      "'port' comes after server '"
                                          + Report.show(s.name)
                                          + "', which keeps port "
                                          + s.port
                                          + " (a server takes the virtual port in force at its"
                                          + " 'server' line, as in Piranha); move 'port' above"
                                          + " the servers");
                                  break;
                                }
                              }
                              return p;
                            })),
            "a port number or service name")
        .piranha(
            "Virtual port (VIP:PORT), also the default port of the real servers and of their"
                + " probes; write it before the server blocks, as each server takes the value in"
                + " force at its server line.")
        .sets((b, x) -> b.port = x)
        .shows(v -> num(v.port()));
    virtual("persistent")
        .takes(seconds(0), "seconds (0 = none)")
        .piranha("Persistence timeout (ipvsadm -p) when greater than 0.")
        .sets((b, x) -> b.persistent = x)
        .writes(v -> secs(v.persistent()));
    virtual("pmask")
        .takes(
            one(
                v ->
                    v.netmask()
                        .map(
                            m ->
                                Addresses.prefixLength(m) == m.getAddress().length * 8
                                    ? Optional.<InetAddress>empty()
                                    : set(m))),
            "a netmask such as 255.255.255.0, or a prefix length (IPv6)")
        .piranha(
            "Persistence netmask (ipvsadm -M) when persistent is set; 255.255.255.255 means"
                + " none, as in Piranha; for an IPv6 VIP a prefix length (128 means none).")
        .sets((b, x) -> b.pmask = x)
        .writesIfSet(v -> v.pmask().map(Keys::mask));
    virtual("send")
        .takes(STRING, "a quoted string")
        .piranha(
            "What the socket probe sends after connecting; \\n \\r \\t \\\\ \\' \\\" are"
                + " translated as nanny does; ignored (with a warning) when send_program is set.")
        .sets((b, x) -> b.send = x)
        .writesIfSet(v -> v.send().map(Keys::quoted));
    virtual("expect")
        .takes(STRING, "a quoted string")
        .piranha(
            "Socket probe: the reply must start with it (* = any reply); send_program: its"
                + " output, minus one trailing newline, must equal it.")
        .sets((b, x) -> b.expect = x)
        .writesIfSet(v -> v.expect().map(Keys::quoted));
    virtual("use_regex")
        .takes(BOOL, "0 or 1")
        .piranha(
            "expect is a regular expression found anywhere in the reply or output"
                + " (java.util.regex with POSIX classes; checked when the file is read).")
        .sets((b, x) -> b.useRegex = x)
        .shows(v -> bool(v.useRegex()));
    virtual("send_program")
        .takes(STRING, "a quoted command line")
        .piranha(
            "External check, split on blanks, where the tokens %h and %p become the server's"
                + " address and port: exit 0 with the expected output is up, a non-zero exit or a"
                + " timeout is down; check_tftp runs as the native TFTP probe.")
        .sets((b, x) -> b.sendProgram = x)
        .writesIfSet(v -> v.sendProgram().map(Keys::quoted));
    virtual("load_monitor")
        .takes(nonEmpty(" (use none)"), "none, uptime, ruptime or rup")
        .piranha("Kept; lvs-pulse does not scale weights by the servers' load average.")
        .sets((b, x) -> b.loadMonitor = x)
        .shows(v -> word(v.loadMonitor()));
    virtual("scheduler")
        .takes(
            one(
                v -> {
                  Optional<Scheduler> s = Scheduler.fromKeyword(v.text());
                  if (s.isEmpty()) {
                    v.error(
                        "unknown scheduler '"
                            + Report.show(v.text())
                            + "': expected one of lc rr wlc wrr lblc lblcr dh sh sed nq mh");
                  }
                  return s;
                }),
            "one of lc rr wlc wrr lblc lblcr dh sh sed nq mh")
        .piranha(
            "The IPVS scheduler (ipvsadm -s); sed, nq and mh are accepted too (Piranha does not"
                + " know them); ECMP mode programs mh whatever this says.")
        .sets((b, x) -> b.scheduler = x)
        .shows(v -> v.scheduler().keyword());
    virtual("protocol")
        .takes(keyword(Protocol.values()), "tcp or udp")
        .piranha("The IPVS service's protocol (-t or -u) and the socket probe's.")
        .sets((b, x) -> b.protocol = x)
        .shows(v -> v.protocol().keyword());
    virtual("timeout")
        .takes(seconds(1), "seconds (at least 1)")
        .piranha("Probe interval, and the probe timeout unless probe_timeout is set.")
        .sets((b, x) -> b.timeout = x)
        .shows(v -> secs(v.timeout()));
    virtual("reentry")
        .takes(
            one(
                v ->
                    v.seconds(0)
                        .map(
                            d -> {
                              if (!d.isZero()) {
                                return d;
                              }
                              v.warn("'reentry = 0' means the default 180 seconds (as nanny)");
                              return VirtualService.DEFAULT_REENTRY;
                            })),
            "seconds")
        .piranha(
            "A failed server returns after max(1, floor(reentry / timeout)) good probes in a"
                + " row (15 / 6 gives 2); one failed probe takes it out, and 0 means 180, as nanny.")
        .sets((b, x) -> b.reentry = x)
        .shows(v -> secs(v.reentry()));
    virtual("quiesce_server")
        .takes(BOOL, "0 or 1")
        .piranha("A failed server gets weight 0 instead of being deleted.")
        .sets((b, x) -> b.quiesceServer = x)
        .shows(v -> bool(v.quiesceServer()));
    virtual("client_monitor")
        .takes(PATH, "the path of the monitor program")
        .piranha("Parsed, ignored (there is no nanny).")
        .sets((b, x) -> b.clientMonitor = x)
        .writes(v -> path(v.clientMonitor()));
    virtual("start_cmd")
        .takes(STRING, "a quoted command line")
        .piranha("FOS only; parsed, ignored.")
        .sets((b, x) -> b.startCmd = x)
        .writesIfSet(v -> v.startCmd().map(Keys::quoted));
    virtual("stop_cmd")
        .takes(STRING, "a quoted command line")
        .piranha("FOS only; parsed, ignored.")
        .sets((b, x) -> b.stopCmd = x)
        .writesIfSet(v -> v.stopCmd().map(Keys::quoted));
    virtual("master")
        .takes(HOST, "an IPv4 or IPv6 address, or a host name")
        .piranha("FOS only; parsed, ignored.")
        .sets((b, x) -> b.master = Optional.of(x))
        .writesIfSet(v -> v.master().map(Keys::ip));
    virtual("dirs")
        .takes(
            new Type<>(LIST, v -> Optional.of(v.tokens().stream().map(t -> t.text()).toList())),
            "a list [ a b ... ]")
        .piranha("FOS only; parsed, ignored.")
        .sets((b, x) -> b.dirs = new ArrayList<>(x))
        .writesIfSet(
            v -> {
              if (v.dirs().isEmpty()) {
                return Optional.empty();
              }
              StringBuilder l = new StringBuilder("[");
              for (String d : v.dirs()) {
                l.append(' ').append(word(d));
              }
              return Optional.of(l.append(" ]").toString());
            });
    virtual("probe_timeout")
        .takes(one(Value::duration), "a duration such as 3 or 500ms")
        .extension("Per-probe timeout, when it must be shorter than the interval (timeout).")
        .byDefault("the value of timeout")
        .sets((b, x) -> b.probeTimeoutOverride = Optional.of(x))
        .writesIfSet(v -> v.probeTimeoutOverride().map(Keys::duration));
    virtual("slow_start")
        .takes(BOOL, "0 or 1")
        .extension(
            "nanny's ramp-up on (re)entry: start at weight/32 (at least 1) and double about"
                + " every 20 s up to weight; 0: full weight at once.")
        .sets((b, x) -> b.slowStart = x)
        .writes(v -> bool(v.slowStart()));
    virtual("mh_port")
        .takes(BOOL, "0 or 1")
        .extension(
            "With the mh scheduler (ECMP mode, or scheduler = mh): hash the client's port too"
                + " (-b mh-fallback,mh-port); 0 hashes the address alone, which TFTP needs.")
        .sets((b, x) -> b.mhPort = x)
        .writes(v -> bool(v.mhPort()));

    // ---- server blocks
    server("address")
        .takes(
            one(
                v ->
                    v.address(true)
                        .filter(
                            a -> {
                              if (Addresses.isUnspecified(a)) {
                                v.error("server 'address' must not be " + Addresses.canonical(a));
                              }
                              return !Addresses.isUnspecified(a);
                            })),
            "an IPv4 or IPv6 address, or a host name")
        .piranha("The real server: probe target and ipvsadm -r IP:PORT.")
        .byDefault("required")
        .sets((s, x) -> s.address = x)
        .shows(s -> ip(s.server().address()));
    server("active")
        .takes(BOOL, "0 or 1")
        .piranha("Only an active server is probed and added.")
        .sets((s, x) -> s.active = x)
        .shows(s -> bool(s.server().active()));
    server("weight")
        .takes(integer(0, RealServer.MAX_WEIGHT), "an integer 0..65535")
        .piranha("IPVS weight (0 gets a warning: the server never receives new connections).")
        .sets((s, x) -> s.weight = x)
        .shows(s -> num(s.server().weight()));
    server("port")
        .takes(
            one(
                v -> {
                  String s = v.text();
                  if (!s.isEmpty()
                      && !Character.isDigit(s.charAt(0))
                      && s.charAt(0) != '-'
                      && s.charAt(0) != '+') {
                    v.error(
                        "a server 'port' must be a number (Piranha reads it with strtol), found '"
                            + Report.show(s)
                            + "'");
                    return Optional.empty();
                  }
                  return v.intIn(0, 65535);
                }),
            "a port number")
        .piranha(
            "Real port: probe target and -r IP:PORT; under network = direct or tunnel a port"
                + " other than the virtual's gets a warning (they cannot change ports).")
        .byDefault("the virtual port above the server")
        .sets((s, x) -> s.port = x)
        .writesIfSet(
            s ->
                s.server().port() == s.virtual().port()
                    ? Optional.empty()
                    : Optional.of(num(s.server().port())));
  }

  // ---------------------------------------------------------------- declaring

  private static KeyDecl<GlobalSettings.Builder, GlobalSettings> global(String name) {
    return new KeyDecl<>(Section.GLOBAL, name, GLOBAL_KEYS, GLOBAL_DEFAULTS);
  }

  private static KeyDecl<VirtualService.Builder, VirtualService> virtual(String name) {
    return new KeyDecl<>(Section.VIRTUAL, name, VIRTUAL_KEYS, VIRTUAL_DEFAULTS);
  }

  private static KeyDecl<ServerBlock, InVirtual> server(String name) {
    return new KeyDecl<>(Section.SERVER, name, SERVER_KEYS, SERVER_DEFAULTS);
  }

  /** A key being declared: {@code takes}, then {@code piranha} or {@code extension}, ... */
  private record KeyDecl<B, M>(
      Section section, String name, Map<String, Key<B, M, ?>> into, M defaults) {
    <T> Declaring<B, M, T> takes(Type<T> type, String expected) {
      return new Declaring<>(this, type, expected);
    }
  }

  private static final class Declaring<B, M, T> {
    private final KeyDecl<B, M> key;
    private final Type<T> type;
    private final String expected;
    private boolean extension;
    private String doc = "";
    private @Nullable String byDefault;
    private @Nullable BiConsumer<B, T> setter;

    Declaring(KeyDecl<B, M> key, Type<T> type, String expected) {
      this.key = key;
      this.type = type;
      this.expected = expected;
    }

    /** A Piranha key, and what lvs-pulse does with it. */
    Declaring<B, M, T> piranha(String doc) {
      this.doc = doc;
      return this;
    }

    /** An lvs-pulse extension key (Piranha rejects it), and what it does. */
    Declaring<B, M, T> extension(String doc) {
      this.extension = true;
      this.doc = doc;
      return this;
    }

    /** The default in the references, where the model's default is not a value. */
    Declaring<B, M, T> byDefault(String text) {
      this.byDefault = text;
      return this;
    }

    Declaring<B, M, T> sets(BiConsumer<B, T> setter) {
      this.setter = setter;
      return this;
    }

    /** Registers the key; the writer prints it when it differs from the default. */
    void writes(Function<M, String> text) {
      add(m -> Optional.of(text.apply(m)), false);
    }

    /** Registers the key; the writer prints it when it is set and differs from the default. */
    void writesIfSet(Function<M, Optional<String>> text) {
      add(text, false);
    }

    /** Registers the key; the writer always prints it (operators expect to see it). */
    void shows(Function<M, String> text) {
      add(m -> Optional.of(text.apply(m)), true);
    }

    private void add(Function<M, Optional<String>> write, boolean always) {
      if (setter == null || doc.isEmpty()) {
        throw new IllegalStateException("key " + key.name() + " needs a doc and a setter");
      }
      String dflt = byDefault != null ? byDefault : write.apply(key.defaults()).orElse(UNSET);
      Spec spec = new Spec(key.name(), key.section(), type.arity(), expected, extension, dflt, doc);
      if (key.into().put(key.name(), new Key<>(spec, type, setter, write, always)) != null) {
        throw new IllegalStateException("key " + key.name() + " declared twice");
      }
    }
  }

  /** {@link Spec#defaultValue()} of a key that has no value unless it is written. */
  public static final String UNSET = "unset";

  // ---------------------------------------------------------------- lookups

  /** The keys of the global section, in table order. */
  static List<Key<GlobalSettings.Builder, GlobalSettings, ?>> globalKeys() {
    return List.copyOf(GLOBAL_KEYS.values());
  }

  /** The keys of virtual and failover blocks, in table order. */
  static List<Key<VirtualService.Builder, VirtualService, ?>> virtualKeys() {
    return List.copyOf(VIRTUAL_KEYS.values());
  }

  /** The keys of server blocks, in table order. */
  static List<Key<ServerBlock, InVirtual, ?>> serverKeys() {
    return List.copyOf(SERVER_KEYS.values());
  }

  static Optional<Key<GlobalSettings.Builder, GlobalSettings, ?>> globalKey(String name) {
    return Optional.ofNullable(GLOBAL_KEYS.get(name));
  }

  static Optional<Key<VirtualService.Builder, VirtualService, ?>> virtualKey(String name) {
    return Optional.ofNullable(VIRTUAL_KEYS.get(name));
  }

  static Optional<Key<ServerBlock, InVirtual, ?>> serverKey(String name) {
    return Optional.ofNullable(SERVER_KEYS.get(name));
  }

  private static Map<String, ? extends Key<?, ?, ?>> keys(Section section) {
    return switch (section) {
      case GLOBAL -> GLOBAL_KEYS;
      case VIRTUAL -> VIRTUAL_KEYS;
      case SERVER -> SERVER_KEYS;
    };
  }

  /** The key {@code name} in {@code section}. */
  public static Optional<Spec> find(Section section, String name) {
    return Optional.ofNullable(keys(section).get(name)).map(Key::spec);
  }

  /** Every key of a section, in documentation order. */
  public static List<Spec> all(Section section) {
    return keys(section).values().stream().map(k -> k.spec()).toList();
  }

  /** Every key of every section. */
  public static List<Spec> all() {
    List<Spec> out = new ArrayList<>();
    for (Section s : Section.values()) {
      out.addAll(all(s));
    }
    return out;
  }

  /** True if {@code name} is a key of any section or a block keyword. */
  public static boolean isKnownWord(String name) {
    if (name.equals("virtual") || name.equals("failover") || name.equals("server")) {
      return true;
    }
    for (Section s : Section.values()) {
      if (keys(s).containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  /** The closest key to a misspelt one, within edit distance 2 (or a third of its length). */
  public static Optional<String> suggest(Section section, String wrong) {
    if (wrong.length() > 64) { // no key is within reach, and the distance is O(length) per key
      return Optional.empty();
    }
    Optional<String> best = closest(keys(section).keySet(), wrong);
    if (best.isPresent()) {
      return best;
    }
    List<String> every = new ArrayList<>();
    for (Section s : Section.values()) {
      every.addAll(keys(s).keySet());
    }
    return closest(every, wrong);
  }

  private static Optional<String> closest(Iterable<String> names, String wrong) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    int limit = Math.max(2, wrong.length() / 3);
    for (String n : names) {
      int d = distance(n, wrong.toLowerCase(Locale.ROOT));
      if (d < bestD) {
        bestD = d;
        best = n;
      }
    }
    return bestD <= limit ? Optional.ofNullable(best) : Optional.empty();
  }

  /** Optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
