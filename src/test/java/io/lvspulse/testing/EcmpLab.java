package io.lvspulse.testing;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network of an ECMP test, all in namespaces named {@code lp13-ID-*} that {@link #close()}
 * deletes (and with them every veth and bridge):
 *
 * <pre>
 *   router  lp13-ID-rt   br0 192.0.2.1/24 ── up0 192.0.2.1N/24   director N  lp13-ID-dN
 *                                               rs0 198.51.100.1N/24 ── br1 198.51.100.2M/24
 *                                                                        real servers lp13-ID-rs
 * </pre>
 *
 * The router hashes multipath flows on ports ({@code net.ipv4.fib_multipath_hash_policy = 1}); each
 * real server address (198.51.100.21, .22, ...) sits on the servers' bridge, so one process bound
 * to it is one real server that every director reaches through its own {@code rs0}.
 */
public final class EcmpLab implements AutoCloseable {
  private static final ExecRunner RUNNER = new ExecRunner();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  public static final String ROUTER_ADDRESS = "192.0.2.1";

  public final String id;
  public final String router;
  public final String servers;
  public final List<String> directors = new ArrayList<>();
  private final List<String> created = new ArrayList<>();
  private final int realServers;

  private EcmpLab(String id, int realServers) {
    this.id = id;
    this.router = "lp13-" + id + "-rt";
    this.servers = "lp13-" + id + "-rs";
    this.realServers = realServers;
  }

  /** Creates the network, or skips the test (fails it under CI) without namespaces. */
  public static EcmpLab create(int directorCount, int realServerCount) {
    String id = String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    EcmpLab lab = new EcmpLab(id, realServerCount);
    ExecResult probe = RUNNER.run(ExecRequest.of(TIMEOUT, "ip", "netns", "add", lab.router));
    Peers.require(
        probe.succeeded(),
        "permission to create network namespaces (ip netns add: " + probe.describe() + ")");
    lab.created.add(lab.router);
    try {
      lab.build(directorCount);
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void build(int directorCount) {
    must("ip", "netns", "add", servers);
    created.add(servers);
    for (String ns : List.of(router, servers)) {
      must("ip", "-n", ns, "link", "set", "lo", "up");
    }
    must(
        "ip",
        "netns",
        "exec",
        router,
        "sysctl",
        "-q",
        "-w",
        "net.ipv4.fib_multipath_hash_policy=1");
    must("ip", "netns", "exec", router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    must("ip", "-n", router, "link", "add", "br0", "type", "bridge");
    must("ip", "-n", router, "addr", "add", ROUTER_ADDRESS + "/24", "dev", "br0");
    must("ip", "-n", router, "link", "set", "br0", "up");
    must("ip", "-n", servers, "link", "add", "br1", "type", "bridge");
    for (int m = 1; m <= realServers; m++) {
      must("ip", "-n", servers, "addr", "add", realServer(m) + "/24", "dev", "br1");
    }
    must("ip", "-n", servers, "link", "set", "br1", "up");
    for (int n = 1; n <= directorCount; n++) {
      String d = "lp13-" + id + "-d" + n;
      must("ip", "netns", "add", d);
      created.add(d);
      directors.add(d);
      must("ip", "-n", d, "link", "set", "lo", "up");
      String up = "lp13" + id + "u" + n;
      String rs = "lp13" + id + "s" + n;
      must("ip", "link", "add", up, "type", "veth", "peer", "name", up + "d");
      must("ip", "link", "set", up, "netns", router);
      must("ip", "link", "set", up + "d", "netns", d);
      must("ip", "-n", router, "link", "set", up, "master", "br0", "up");
      must("ip", "-n", d, "link", "set", up + "d", "name", "up0");
      must("ip", "-n", d, "addr", "add", director(n) + "/24", "dev", "up0");
      must("ip", "-n", d, "link", "set", "up0", "up");
      must("ip", "link", "add", rs, "type", "veth", "peer", "name", rs + "d");
      must("ip", "link", "set", rs, "netns", servers);
      must("ip", "link", "set", rs + "d", "netns", d);
      must("ip", "-n", servers, "link", "set", rs, "master", "br1", "up");
      must("ip", "-n", d, "link", "set", rs + "d", "name", "rs0");
      must("ip", "-n", d, "addr", "add", directorOnServerLan(n) + "/24", "dev", "rs0");
      must("ip", "-n", d, "link", "set", "rs0", "up");
    }
  }

  /** Director N's address on the router LAN, 192.0.2.1N. */
  public static String director(int n) {
    return "192.0.2." + (10 + n);
  }

  /** Director N's address on the servers' LAN, 198.51.100.1N. */
  public static String directorOnServerLan(int n) {
    return "198.51.100." + (10 + n);
  }

  /** Real server M's address, 198.51.100.2M. */
  public static String realServer(int m) {
    return "198.51.100." + (20 + m);
  }

  /** The namespace of director N (1-based). */
  public String directorNs(int n) {
    return directors.get(n - 1);
  }

  /** The next hops the router's kernel has for {@code vip} (empty when it has no route). */
  public Set<String> nextHops(String vip) {
    String out = must("ip", "-n", router, "route", "show", vip);
    Set<String> hops = new TreeSet<>();
    Matcher m = Pattern.compile("via (\\S+)").matcher(out);
    while (m.find()) {
      hops.add(m.group(1));
    }
    return hops;
  }

  /** The router's route for {@code vip}, as {@code ip route} prints it. */
  public String route(String vip) {
    return must("ip", "-n", router, "route", "show", vip).strip();
  }

  /** Cuts (false) or restores (true) director N's link to the real servers. */
  public void serverLink(int n, boolean up) {
    must("ip", "-n", directorNs(n), "link", "set", "rs0", up ? "up" : "down");
  }

  /** Cuts (false) or restores (true) director N's link to the router. */
  public void routerLink(int n, boolean up) {
    must("ip", "-n", directorNs(n), "link", "set", "up0", up ? "up" : "down");
  }

  /** Runs a command that must succeed; returns its stdout. */
  public static String must(String... command) {
    ExecResult r = RUNNER.run(ExecRequest.of(TIMEOUT, command));
    if (!r.succeeded()) {
      throw new IllegalStateException(String.join(" ", command) + ": " + r.describe());
    }
    return r.stdout();
  }

  @Override
  public void close() {
    for (int i = created.size() - 1; i >= 0; i--) {
      RUNNER.run(ExecRequest.of(TIMEOUT, "ip", "netns", "del", created.get(i)));
    }
    created.clear();
  }
}
