package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.lvspulse.testing.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 10,000 mutated valid files (seeded; the seed is printed): the parser throws nothing but
 * ConfigException, every diagnostic has a line and column inside the file, and whatever parses
 * survives write → parse unchanged.
 */
class ParserFuzzTest {
  static final long SEED = Long.getLong("lvspulse.seed", System.nanoTime());
  static final int CASES = 10_000;
  static final String[] WORDS = {
    "virtual",
    "server",
    "failover",
    "{",
    "}",
    "=",
    "#",
    "\"",
    "'",
    "[",
    "]",
    "address",
    "active",
    "port",
    "fwmark",
    "0",
    "1",
    "010",
    "0x1f",
    "08",
    "-1",
    "99999999999999999999",
    "255.255.255.0",
    "10.0.0.1",
    "eth0:1",
    "udp",
    "tcp",
    "wlc",
    "sed",
    "mh",
    "timeout",
    "reentry",
    "weight",
    "dirs",
    "[ a ]",
    "\"a b\"",
    "'x'",
    "http",
    "tftp",
    "nat_router",
    "%h",
    "\t",
    "\r\n",
    "\r",
    "\n",
    "\u00e9",
    "\uFEFF",
    "\u0000",
    "localhost"
  };

  static List<String> corpus() throws Exception {
    List<String> out = new ArrayList<>();
    Path dir = Examples.dir();
    try (Stream<Path> s =
        Stream.concat(Files.list(dir.resolve("valid")), Files.list(dir.resolve("invalid")))) {
      for (Path p : s.sorted().toList()) {
        out.add(Files.readString(p));
      }
    }
    out.add(Files.readString(Path.of("etc/lvs.cf")));
    for (int i = 0; i < 5; i++) {
      out.add(LvsConfigWriter.write(new ModelGenerator(SEED + i).config()));
    }
    return out;
  }

  static String mutate(String s, Random r) {
    int n = 1 + r.nextInt(5);
    StringBuilder b = new StringBuilder(s);
    for (int i = 0; i < n; i++) {
      int at = b.length() == 0 ? 0 : r.nextInt(b.length() + 1);
      switch (r.nextInt(8)) {
        case 0 -> { // delete a span
          if (b.length() > 0) {
            int end = Math.min(b.length(), at + 1 + r.nextInt(12));
            b.delete(Math.min(at, b.length()), end);
          }
        }
        case 1 -> b.insert(at, (char) (r.nextInt(8) == 0 ? r.nextInt(0x3000) : 32 + r.nextInt(95)));
        case 2 -> b.insert(at, WORDS[r.nextInt(WORDS.length)]);
        case 3 -> b.insert(at, " " + WORDS[r.nextInt(WORDS.length)] + " ");
        case 4 -> { // join lines: the flattened form
          int nl = b.indexOf("\n", at);
          if (nl >= 0) {
            b.setCharAt(nl, ' ');
          }
        }
        case 5 -> { // duplicate a line
          String[] lines = b.toString().split("\n", -1);
          int k = r.nextInt(lines.length);
          b.insert(at, lines[k] + "\n");
        }
        case 6 -> b.setLength(Math.min(b.length(), at)); // truncate
        default -> { // replace a character with a quote or brace
          if (at < b.length()) {
            b.setCharAt(at, "\"'{}#=[] \t".charAt(r.nextInt(10)));
          }
        }
      }
    }
    return b.toString();
  }

  @Test
  void ten_thousand_mutated_files_never_break_the_parser() throws Exception {
    System.out.println(
        "ParserFuzzTest seed: " + SEED + " (rerun with -Dlvspulse.seed=" + SEED + ")");
    List<String> corpus = corpus();
    Random r = new Random(SEED);
    LvsConfigParser parser = new LvsConfigParser(HostResolver.none(), TestParsers.SERVICES);
    int parsed = 0;
    int rejected = 0;
    for (int i = 0; i < CASES; i++) {
      String text = mutate(corpus.get(r.nextInt(corpus.size())), r);
      int lines = text.split("\r\n|\r|\n", -1).length;
      try {
        ParsedConfig pc = parser.parse("fuzz.lvs.cf", text);
        parsed++;
        checkPositions(pc.warnings(), lines, i, text);
        String written = LvsConfigWriter.write(pc.config());
        try {
          assertThat(parser.parse("rewritten", written).config())
              .as("case %d (seed %d) round trip of:%n%s", i, SEED, text)
              .isEqualTo(pc.config());
        } catch (ConfigException e) {
          fail(
              "case "
                  + i
                  + " (seed "
                  + SEED
                  + "): the rewritten file is rejected: "
                  + e.getMessage()
                  + "\n--- input:\n"
                  + text
                  + "\n--- written:\n"
                  + written);
        }
      } catch (ConfigException e) {
        rejected++;
        assertThat(e.errors()).isNotEmpty();
        checkPositions(e.errors(), lines, i, text);
        checkPositions(e.warnings(), lines, i, text);
        assertThat(e.errors().get(0).message()).doesNotStartWith("internal parser error");
      } catch (RuntimeException | Error e) {
        throw new AssertionError(
            "case " + i + " (seed " + SEED + ") threw " + e + " for:\n" + text, e);
      }
    }
    System.out.println("ParserFuzzTest: " + parsed + " parsed, " + rejected + " rejected");
    assertThat(parsed + rejected).isEqualTo(CASES);
    assertThat(parsed).as("some mutations stay valid").isGreaterThan(CASES / 50);
    assertThat(rejected).as("most mutations break the file").isGreaterThan(CASES / 4);
  }

  private static void checkPositions(List<Diagnostic> ds, int lines, int i, String text) {
    for (Diagnostic d : ds) {
      assertThat(d.line()).as("case %d: %s in%n%s", i, d, text).isBetween(1, lines);
      assertThat(d.column()).as("case %d: %s", i, d).isGreaterThanOrEqualTo(1);
      assertThat(d.file()).isEqualTo("fuzz.lvs.cf");
    }
  }
}
