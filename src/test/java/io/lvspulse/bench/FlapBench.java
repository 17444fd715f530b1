package io.lvspulse.bench;

import io.lvspulse.testing.Pause;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Log volume of the real daemon while many servers flap (a benchmark run by hand, never by the test
 * suite; issue 9 item 11). N TFTP "servers" on 127.10.x.y:PORT, answered by a responder in this
 * process that flips each server between answering (ERROR "File not found": alive) and silence
 * every 2 to 6 s (random, seeded); the daemon ({@code --jar}, the unit's JVM flags, {@code --ipvs
 * dry-run --no-failover}) probes them with {@code timeout = 1}, {@code reentry = 1}. After a
 * warm-up its log lines are counted per second, all together and those of HealthMonitor alone:
 *
 * <pre>
 * mvn -B -ntp -q test-compile -Dspotless.check.skip=true
 * java -cp target/test-classes:target/lvs-pulse.jar io.lvspulse.bench.FlapBench \
 *     --jar target/lvs-pulse.jar --servers 500 --seconds 120
 * </pre>
 */
public final class FlapBench {
  private static final byte[] NOT_FOUND = {
    0, 5, 0, 1, 'F', 'i', 'l', 'e', ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd', 0
  };
  private static final Pattern LINE =
      Pattern.compile(
          "^\\d{4}-\\d\\d-\\d\\dT(\\d\\d:\\d\\d:\\d\\d)\\.\\d+\\S* +(\\w+) +\\[[^]]*\\] (\\w+): (.*)$");

  private FlapBench() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of("target/lvs-pulse.jar");
    int n = 500;
    int seconds = 120;
    int warmup = 15;
    int port = 7970;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = Path.of(args[++i]);
        case "--servers" -> n = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("lvs-pulse-flap-bench");
    Path cfg = work.resolve("lvs.cf");
    StringBuilder c =
        new StringBuilder(
            "serial_no = 1\nnetwork = direct\nvirtual tftp {\n active = 1\n"
                + " address = 192.0.2.69 eth0:1\n fwmark = 1\n port = 69\n protocol = udp\n"
                + " persistent = 45\n expect = \"OK - answer from server\"\n"
                + " send_program = \"/usr/local/bin/check_tftp --connect %h -p "
                + port
                + "\"\n quiesce_server = 1\n timeout = 1\n reentry = 1\n");
    List<InetSocketAddress> addrs = BenchResponder.addresses(n, port);
    for (int i = 0; i < n; i++) {
      c.append(" server s").append(i).append(" {\n  address = ");
      c.append(addrs.get(i).getAddress().getHostAddress()).append("\n  active = 1\n }\n");
    }
    Files.writeString(cfg, c.append("}\n"));
    Path log = work.resolve("daemon.log");
    try (Flapper flapper = new Flapper(addrs, new Random(42))) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(DaemonBench.SYSTEMD_JAVA_OPTS);
      cmd.addAll(
          List.of(
              "-jar",
              jar.toString(),
              "run",
              "--config",
              cfg.toString(),
              "--ipvs",
              "dry-run",
              "--no-failover",
              "--listen",
              "127.0.0.1:0"));
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      try {
        Pause.pace(
            Duration.ofSeconds(warmup + seconds),
            "the daemon runs for the bench's warm-up and measured time");
      } finally {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      report(log, warmup, seconds, flapper.flips(), jar, n);
    } finally {
      try (var s = Files.walk(work)) {
        s.sorted(Collections.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }

  private static void report(Path log, int warmup, int seconds, long flips, Path jar, int n)
      throws IOException {
    Map<String, int[]> perSecond = new TreeMap<>(); // [all, HealthMonitor, summaries, IPVS side]
    for (String line : Files.readAllLines(log)) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      int[] c = perSecond.computeIfAbsent(m.group(1), k -> new int[4]);
      c[0]++;
      if (m.group(3).startsWith("Ipvs") || m.group(3).equals("DryRunBackend")) {
        c[3]++;
      }
      if (m.group(3).equals("HealthMonitor")) {
        c[1]++;
        if (m.group(4).startsWith("state changes: ")) {
          c[2]++;
        }
      }
    }
    List<int[]> window = new ArrayList<>(perSecond.values());
    // skip the start-up seconds and the last (partial) one
    window = window.subList(Math.min(window.size(), warmup), Math.max(warmup, window.size() - 1));
    List<Integer> all = new ArrayList<>();
    List<Integer> monitor = new ArrayList<>();
    List<Integer> ipvs = new ArrayList<>();
    long summaries = 0;
    for (int[] c : window) {
      all.add(c[0]);
      monitor.add(c[1]);
      ipvs.add(c[3]);
      summaries += c[2];
    }
    System.out.printf(
        Locale.ROOT,
        "| %s | %d servers | %d s | %.0f flips/s | all lines/s: median %d, max %d | HealthMonitor"
            + " lines/s: median %d, max %d | summaries %d | IPVS side (reconciler, dry-run"
            + " backend) lines/s: median %d, max %d |%n",
        jar,
        n,
        window.size(),
        flips / (double) seconds,
        median(all),
        max(all),
        median(monitor),
        max(monitor),
        summaries,
        median(ipvs),
        max(ipvs));
  }

  private static int median(List<Integer> l) {
    List<Integer> c = new ArrayList<>(l);
    Collections.sort(c);
    return c.isEmpty() ? 0 : c.get(c.size() / 2);
  }

  private static int max(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** Answers RRQs for the servers that are up; flips each between up and silent every 2-6 s. */
  private static final class Flapper implements AutoCloseable {
    private final Selector selector = Selector.open();
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final long[] nextFlip;
    private final boolean[] up;
    private final Random random;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long flips;

    Flapper(List<InetSocketAddress> addrs, Random random) throws IOException {
      this.random = random;
      this.nextFlip = new long[addrs.size()];
      this.up = new boolean[addrs.size()];
      long now = System.nanoTime();
      for (int i = 0; i < addrs.size(); i++) {
        DatagramChannel ch = DatagramChannel.open();
        channels.add(ch);
        ch.configureBlocking(false);
        ch.bind(addrs.get(i));
        ch.register(selector, SelectionKey.OP_READ, i);
        up[i] = true;
        nextFlip[i] = now + period();
      }
      thread = new Thread(this::run, "flap-responder");
      thread.setDaemon(true);
      thread.start();
    }

    private long period() {
      return TimeUnit.MILLISECONDS.toNanos(2000 + random.nextInt(4000));
    }

    long flips() {
      return flips;
    }

    private void run() {
      ByteBuffer rx = ByteBuffer.allocate(2048);
      long count = 0;
      while (!closed) {
        try {
          selector.select(50);
          long now = System.nanoTime();
          for (int i = 0; i < up.length; i++) {
            if (now >= nextFlip[i]) {
              up[i] = !up[i];
              nextFlip[i] = now + period();
              count++;
            }
          }
          flips = count;
          for (SelectionKey k : selector.selectedKeys()) {
            DatagramChannel ch = (DatagramChannel) k.channel();
            int i = (Integer) k.attachment();
            for (int j = 0; j < 16; j++) {
              rx.clear();
              SocketAddress from = ch.receive(rx);
              if (from == null) {
                break;
              }
              if (up[i] && rx.position() > 2 && rx.get(1) == 1) {
                ch.send(ByteBuffer.wrap(NOT_FOUND), from);
              }
            }
          }
          selector.selectedKeys().clear();
        } catch (IOException | RuntimeException e) {
          if (closed) {
            return;
          }
        }
      }
    }

    @Override
    public void close() throws IOException {
      closed = true;
      selector.wakeup();
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (DatagramChannel ch : channels) {
        ch.close();
      }
      selector.close();
    }
  }
}
