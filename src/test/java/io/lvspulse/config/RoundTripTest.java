package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lvspulse.testing.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** parse → write → parse gives an equal model; write(model) parses back to the model. */
class RoundTripTest {
  static final long BASE_SEED = Long.getLong("lvspulse.seed", System.nanoTime());

  static LongStream seeds() {
    System.out.println(
        "RoundTripTest base seed: "
            + BASE_SEED
            + " (rerun with -Dlvspulse.seed="
            + BASE_SEED
            + ")");
    return LongStream.range(0, 300).map(i -> BASE_SEED + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void a_random_model_written_and_parsed_back_is_equal(long seed) throws Exception {
    LvsConfig model = new ModelGenerator(seed).config();
    String text = LvsConfigWriter.write(model);
    ParsedConfig back;
    try {
      back = TestParsers.parser().parse("seed-" + seed + ".lvs.cf", text);
    } catch (ConfigException e) {
      // The generator may build semantically wrong models (duplicate fwmark...): only semantic
      // errors are acceptable then, never a syntax error about what the writer printed.
      for (Diagnostic d : e.errors()) {
        assertThat(d.message())
            .as("seed %d, text:%n%s", seed, text)
            .containsAnyOf(
                "same address and port",
                "forwards by address only",
                "already used",
                "same VIP",
                "has no 'address",
                "port 0 needs",
                "not a valid regular expression");
      }
      return;
    }
    assertThat(back.config()).as("seed %d, text:%n%s", seed, text).isEqualTo(model);
    assertThat(LvsConfigWriter.write(back.config())).isEqualTo(text);
  }

  static Stream<Path> examples() throws Exception {
    Path dir = Examples.file("valid");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> l = s.sorted().toList();
      return Stream.concat(l.stream(), Stream.of(Path.of("etc/lvs.cf")));
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void every_valid_file_survives_parse_write_parse(Path file) throws Exception {
    LvsConfig first = TestParsers.parser().parse(file).config();
    String text = LvsConfigWriter.write(first);
    LvsConfig second = TestParsers.parser().parse("written", text).config();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void the_writer_prints_the_tftp_virtual_canonically() throws Exception {
    String oneLine =
        "network = direct\n"
            + "virtual tftp { active = 1 address = 203.0.113.10 eth0:1 vip_nmask = 255.255.255.0 fwmark = 1 port = 69 persistent = 45 expect = \"OK - answer from server\" use_regex = 0 send_program = \"/usr/local/bin/check_tftp --connect %h\" load_monitor = none scheduler = wlc protocol = udp timeout = 6 reentry = 15 quiesce_server = 1 server ftp1 { address = 10.0.0.2 active = 1 weight = 1 } server ftp2 { address = 10.0.0.3 active = 1 weight = 1 }\n"
            + "}\n";
    String written = LvsConfigWriter.write(TestParsers.parser().parse("x", oneLine).config());
    assertThat(written)
        .contains(
            "virtual tftp {\n"
                + "    active = 1\n"
                + "    address = 203.0.113.10 eth0:1\n"
                + "    vip_nmask = 255.255.255.0\n"
                + "    fwmark = 1\n"
                + "    port = 69\n"
                + "    persistent = 45\n"
                + "    expect = \"OK - answer from server\"\n"
                + "    use_regex = 0\n"
                + "    send_program = \"/usr/local/bin/check_tftp --connect %h\"\n"
                + "    load_monitor = none\n"
                + "    scheduler = wlc\n"
                + "    protocol = udp\n"
                + "    timeout = 6\n"
                + "    reentry = 15\n"
                + "    quiesce_server = 1\n"
                + "    server ftp1 {\n"
                + "        address = 10.0.0.2\n"
                + "        active = 1\n"
                + "        weight = 1\n"
                + "    }\n");
  }

  @Test
  void most_random_models_are_valid_so_the_round_trip_really_runs() throws Exception {
    int clean = 0;
    for (long seed : seeds().toArray()) {
      try {
        TestParsers.parser().parse("x", LvsConfigWriter.write(new ModelGenerator(seed).config()));
        clean++;
      } catch (ConfigException e) {
        // counted below
      }
    }
    assertThat(clean).as("valid random models out of 300").isGreaterThan(240);
  }

  @Test
  void a_value_with_both_quote_kinds_cannot_be_written() {
    VirtualService.Builder b = VirtualService.builder("x");
    b.expect = java.util.Optional.of("it's \"quoted\"");
    LvsConfig c = new LvsConfig(GlobalSettings.defaults(), List.of(b.build()), List.of());
    IllegalArgumentException e =
        catchThrowableOfType(IllegalArgumentException.class, () -> LvsConfigWriter.write(c));
    assertThat(e).hasMessageContaining("both ' and \" and a blank");
  }
}
