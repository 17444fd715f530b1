package io.lvspulse.config;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The lvs.cf parser against pathological files (a benchmark run by hand, never by the test suite):
 * each case is written to a temporary file and parsed once with {@link LvsConfigParser#parse(Path)}
 * (the daemon's reload path), after one warm-up parse of a small file. Prints one Markdown row per
 * case: the file size, the wall time, the bytes the parsing thread allocated, the errors kept and
 * reported, and the length of the longest message. Run each case in its own JVM with the unit's
 * heap to see whether the parse fits:
 *
 * <pre>
 * mvn -B -ntp -q test-compile -Dspotless.check.skip=true
 * for c in dup700 dup5000 nest5000 servers10k servers20k servers40k servers100k key20m key2m; do
 *   java -Xmx64m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
 *     -cp target/lvs-pulse.jar:target/test-classes io.lvspulse.config.ParseBench $c
 * done
 * </pre>
 */
public final class ParseBench {
  private ParseBench() {}

  /** The text of case {@code name}. */
  static String text(String name) {
    return switch (name) {
      case "dup700" -> "virtual a {\n}\n".repeat(700);
      case "dup5000" -> "virtual a {\n}\n".repeat(5000);
      case "nest5000" -> "virtual a {\n" + "    server s {\n".repeat(5000);
      case "servers10k" -> servers(10_000);
      case "servers20k" -> servers(20_000);
      case "servers40k" -> servers(40_000);
      case "servers100k" -> servers(100_000);
      case "key20m" -> "x".repeat(20 << 20) + " = 1\n";
      case "key2m" -> "x".repeat(2 << 20) + " = 1\n";
      default -> throw new IllegalArgumentException("unknown case " + name);
    };
  }

  /** One active virtual service with {@code n} active real servers on 10.x.y.z. */
  static String servers(int n) {
    StringBuilder b =
        new StringBuilder(
            "serial_no = 1\nnetwork = direct\nvirtual tftp {\n    active = 1\n"
                + "    address = 192.0.2.10 eth0:1\n    protocol = udp\n    port = 69\n"
                + "    send = \"x\"\n");
    for (int i = 0; i < n; i++) {
      b.append("    server s")
          .append(i)
          .append(" {\n        address = 10.")
          .append((i >> 16) & 255)
          .append('.')
          .append((i >> 8) & 255)
          .append('.')
          .append(i & 255)
          .append("\n        active = 1\n        weight = 1\n    }\n");
    }
    return b.append("}\n").toString();
  }

  public static void main(String[] args) throws Exception {
    List<String> cases =
        args.length > 0
            ? List.of(args)
            : List.of(
                "dup700",
                "dup5000",
                "nest5000",
                "servers10k",
                "servers40k",
                "servers100k",
                "key20m");
    LvsConfigParser parser =
        new LvsConfigParser(HostResolver.none(), ServiceNames.fromLines(List.of()));
    Path dir = Files.createTempDirectory("lvs-pulse-parse-bench");
    try {
      Path warm = dir.resolve("warm.lvs.cf");
      Files.writeString(warm, servers(200));
      parser.parse(warm);
      com.sun.management.ThreadMXBean mx =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      System.out.printf(
          Locale.ROOT,
          "| case | file | parse | allocated | errors kept / total | longest message | outcome |%n"
              + "|---|---|---|---|---|---|---|%n");
      for (String c : cases) {
        Path f = dir.resolve(c + ".lvs.cf");
        Files.writeString(f, text(c));
        long size = Files.size(f);
        System.gc();
        long a0 = mx.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        String outcome;
        int kept = 0;
        String total = "0";
        int longest = 0;
        try {
          ParsedConfig p = parser.parse(f);
          outcome = "parsed: " + p.config().virtuals().get(0).servers().size() + " servers";
        } catch (ConfigException e) {
          kept = e.errors().size();
          String last = e.errors().get(kept - 1).message();
          java.util.regex.Matcher m =
              java.util.regex.Pattern.compile("(\\d+) more errors? not shown.*").matcher(last);
          total = Long.toString(m.matches() ? kept - 1 + Long.parseLong(m.group(1)) : (long) kept);
          for (Diagnostic d : e.errors()) {
            longest = Math.max(longest, d.toString().length());
          }
          outcome = "rejected: " + e.errors().get(0).message();
          if (outcome.length() > 90) {
            outcome = outcome.substring(0, 90) + "...";
          }
        } catch (OutOfMemoryError e) {
          outcome = "OutOfMemoryError";
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long alloc = mx.getCurrentThreadAllocatedBytes() - a0;
        System.out.printf(
            Locale.ROOT,
            "| %s | %.1f MB | %.2f s | %.0f MB | %d / %s | %d chars | %s |%n",
            c,
            size / 1e6,
            secs,
            alloc / 1e6,
            kept,
            total,
            longest,
            outcome.replace("|", "\\|"));
        Files.delete(f);
      }
    } finally {
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
