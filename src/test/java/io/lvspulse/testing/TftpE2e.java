package io.lvspulse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecResult;
import io.lvspulse.testing.TftpLoad.Transfer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What the end-to-end TFTP ITs share: the served file, the tftpd-hpa command, the {@link TftpLoad}
 * generator's command and its end, and the arithmetic over the transfers it wrote.
 */
public final class TftpE2e {
  private TftpE2e() {}

  /**
   * Creates {@code dir/root-NAME} holding {@code who.txt}: "served by NAME" padded to 1200 bytes,
   * three DATA blocks, so every transfer ACKs through the VIP's high ports (fwmark + persistence)
   * twice before the last block. Returns the root.
   */
  public static Path whoTxtRoot(Path dir, String name) throws IOException {
    Path root = dir.resolve("root-" + name);
    Files.createDirectories(root);
    StringBuilder who = new StringBuilder("served by " + name + "\n");
    while (who.length() < 1200) {
      who.append(name.charAt(2));
    }
    Files.writeString(root.resolve("who.txt"), who);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        root.resolve("who.txt"), PosixFilePermissions.fromString("rw-r--r--"));
    return root;
  }

  /** {@code in.tftpd -L -a ADDRESS -s -u nobody ROOT}: tftpd-hpa in the foreground. */
  public static List<String> tftpdHpa(Path tftpd, String address, Path root) {
    return List.of(tftpd.toString(), "-L", "-a", address, "-s", "-u", "nobody", root.toString());
  }

  /** {@code java -cp TEST_CLASSPATH TftpLoad ARGS}, a small JVM. */
  public static List<String> javaCp(String... args) {
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.addAll(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    c.add("-cp");
    c.add(System.getProperty("java.class.path"));
    c.add(TftpLoad.class.getName());
    c.addAll(List.of(args));
    return c;
  }

  /** Asserts that the load generator {@code p} ({@code what}) ends within 5 minutes. */
  public static void awaitLoadGenerator(Process p, String what) throws InterruptedException {
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", what).isTrue();
  }

  /** The machine's {@code /proc/loadavg}, or "?". */
  public static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "?";
    }
  }

  public static void sleepUntil(long epochMs) throws InterruptedException {
    long d = epochMs - System.currentTimeMillis();
    if (d > 0) {
      Pause.pace(Duration.ofMillis(d), "the scenario's next event on the running load's timeline");
    }
  }

  public static void destroy(Process p) throws InterruptedException {
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  public static List<Transfer> between(List<Transfer> all, long from, long to) {
    return all.stream().filter(t -> t.startMs() >= from && t.startMs() < to).toList();
  }

  public static long failed(List<Transfer> ts) {
    return ts.stream().filter(t -> !t.ok()).count();
  }

  public static String summary(List<Transfer> ts) {
    Map<String, Long> by =
        ts.stream()
            .collect(
                Collectors.groupingBy(
                    t ->
                        t.ok()
                            ? t.server() + (t.cause().equals("ok") ? "" : " " + t.cause())
                            : "failed (" + t.cause() + ")",
                    java.util.TreeMap::new,
                    Collectors.counting()));
    return ts.size() + " transfers: " + by;
  }

  /**
   * Seconds after {@code from} of the first transfer start from which on every transfer (until
   * {@code to}) succeeded and was not served by {@code server}; empty if never.
   */
  public static OptionalLong cleanFrom(List<Transfer> all, long from, long to, String server) {
    List<Transfer> w = between(all, from, to);
    long lastBad = -1;
    for (Transfer t : w) {
      if (!t.ok() || t.server().equals(server)) {
        lastBad = t.startMs();
      }
    }
    if (lastBad < 0) {
      return OptionalLong.of(0);
    }
    final long lb = lastBad;
    Optional<Transfer> next = w.stream().filter(t -> t.startMs() > lb).findFirst();
    return next.isPresent() && to - next.get().startMs() >= 3000
        ? OptionalLong.of(next.get().startMs() - from)
        : OptionalLong.empty();
  }

  public static String s(long ms) {
    return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
  }

  /** {@code ipvsadm -S -n} on {@code director}, one stripped non-empty line a rule. */
  public static List<String> table(Lab.Director director) {
    ExecResult r = director.exec("ipvsadm", "-S", "-n");
    assertThat(r.succeeded()).as("ipvsadm -S -n: %s", r.describe()).isTrue();
    return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  /**
   * Polls {@code table} until {@code p}; fails early when {@code daemon} (if any) has exited, with
   * {@code logs}. Returns the epoch millis it first held.
   */
  public static long awaitTable(
      String what,
      Duration timeout,
      Predicate<List<String>> p,
      Supplier<List<String>> table,
      Supplier<@Nullable Process> daemon,
      Callable<String> logs) {
    AtomicReference<List<String>> last = new AtomicReference<>(List.of());
    Waits.until(
        "the table shows " + what,
        timeout,
        Duration.ofMillis(100),
        () -> {
          last.set(table.get());
          if (p.test(last.get())) {
            return true;
          }
          Process d = daemon.get();
          if (d != null && !d.isAlive()) {
            throw new AssertionError("lvs-pulse exited:\n" + logs.call());
          }
          return false;
        },
        () ->
            "the table never showed "
                + what
                + " within "
                + timeout
                + "; last "
                + last.get()
                + "\n"
                + logs.call());
    return System.currentTimeMillis();
  }

  /** {@code dir/daemon-1.log} to {@code daemon-STARTS.log}, each under a "--- NAME" line. */
  public static String daemonLogs(Path dir, int starts) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= starts; i++) {
      Path f = dir.resolve("daemon-" + i + ".log");
      if (Files.exists(f)) {
        b.append("--- daemon-").append(i).append(".log\n").append(Files.readString(f));
      }
    }
    return b.toString();
  }

  /**
   * A thread (not started) that adds {@code director}'s {@code ipvsadm -S -n} lines to {@code seen}
   * as fast as it can until interrupted; a failed call adds nothing.
   */
  public static Thread tableWatcher(Lab.Director director, List<List<String>> seen, String name) {
    return new Thread(
        () -> {
          while (!Thread.currentThread().isInterrupted()) {
            ExecResult r = director.exec("ipvsadm", "-S", "-n");
            if (r.succeeded()) {
              seen.add(r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
            }
          }
        },
        name);
  }

  /**
   * A direct-routing real server holds the VIP on {@code lo}: it must neither answer ARP for it nor
   * announce it ({@code arp_ignore=1}, {@code arp_announce=2}, for all and for eth0).
   */
  public static void noArpForTheVip(Lab.Host h) {
    h.must(
        "sysctl",
        "-qw",
        "net.ipv4.conf.all.arp_ignore=1",
        "net.ipv4.conf.all.arp_announce=2",
        "net.ipv4.conf.eth0.arp_ignore=1",
        "net.ipv4.conf.eth0.arp_announce=2");
  }
}
