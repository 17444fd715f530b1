package io.lvspulse.testing;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two network namespaces {@code lvsp-test-XXXX-a} / {@code -b} joined by a veth pair whose ends are
 * both called {@code lan0} inside them, addressed {@code 10.255.N.1/24} and {@code 10.255.N.2/24}.
 * Nothing leaves them. {@link #close()} deletes both namespaces (and so the veth pair).
 */
public final class NetNs implements AutoCloseable {
  private static final ExecRunner RUNNER = new ExecRunner();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  public final String a;
  public final String b;
  public final int subnet;
  private final List<String> created = new ArrayList<>();

  private NetNs(String id, int subnet) {
    this.a = "lvsp-test-" + id + "-a";
    this.b = "lvsp-test-" + id + "-b";
    this.subnet = subnet;
  }

  /**
   * Creates the pair, or skips the test (fails it under CI) when {@code ip netns} is not permitted.
   */
  public static NetNs createPair() {
    String id = String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    int subnet = 1 + ThreadLocalRandom.current().nextInt(250);
    NetNs ns = new NetNs(id, subnet);
    ExecResult probe = RUNNER.run(ExecRequest.of(TIMEOUT, "ip", "netns", "add", ns.a));
    Peers.require(
        probe.succeeded(),
        "permission to create network namespaces (ip netns add: " + probe.describe() + ")");
    ns.created.add(ns.a);
    try {
      ns.must("ip", "netns", "add", ns.b);
      ns.created.add(ns.b);
      String va = "lvsp" + id + "a";
      String vb = "lvsp" + id + "b";
      ns.must("ip", "link", "add", va, "type", "veth", "peer", "name", vb);
      ns.must("ip", "link", "set", va, "netns", ns.a);
      ns.must("ip", "link", "set", vb, "netns", ns.b);
      ns.must("ip", "-n", ns.a, "link", "set", va, "name", "lan0");
      ns.must("ip", "-n", ns.b, "link", "set", vb, "name", "lan0");
      ns.must("ip", "-n", ns.a, "addr", "add", "10.255." + subnet + ".1/24", "dev", "lan0");
      ns.must("ip", "-n", ns.b, "addr", "add", "10.255." + subnet + ".2/24", "dev", "lan0");
      for (String n : List.of(ns.a, ns.b)) {
        ns.must("ip", "-n", n, "link", "set", "lo", "up");
        ns.must("ip", "-n", n, "link", "set", "lan0", "up");
      }
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  /** {@code 10.255.N.host}. */
  public String address(int host) {
    return "10.255." + subnet + "." + host;
  }

  /** Runs a command that must succeed; returns its stdout. */
  public String must(String... command) {
    ExecResult r = RUNNER.run(ExecRequest.of(TIMEOUT, command));
    if (!r.succeeded()) {
      throw new IllegalStateException(String.join(" ", command) + ": " + r.describe());
    }
    return r.stdout();
  }

  /** The prefix that runs a command inside {@code ns}. */
  public static List<String> prefix(String ns) {
    return List.of("ip", "netns", "exec", ns);
  }

  /** {@code ip -n NS -o addr show dev lan0}. */
  public String addresses(String ns) {
    return must("ip", "-n", ns, "-o", "addr", "show", "dev", "lan0");
  }

  /**
   * {@code curl -sS --max-time 3 URL} inside {@code ns}, bounded by 5 s: a daemon's HTTP API in its
   * namespace.
   */
  public static ExecResult curl(String ns, String url) {
    return RUNNER.run(
        ExecRequest.of(
            Duration.ofSeconds(5),
            "ip",
            "netns",
            "exec",
            ns,
            "curl",
            "-sS",
            "--max-time",
            "3",
            url));
  }

  /** Deletes each of {@code namespaces} (best effort: one already gone is fine) and empties it. */
  public static void deleteAll(List<String> namespaces) {
    for (String n : namespaces) {
      RUNNER.run(ExecRequest.of(TIMEOUT, "ip", "netns", "del", n));
    }
    namespaces.clear();
  }

  @Override
  public void close() {
    deleteAll(created);
  }
}
