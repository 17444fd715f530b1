package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-feature samples in etc/examples/ parse with the real parser, give exactly the warnings
 * they announce with {@code # expect-warning: TEXT} lines, and keep the promises their comments
 * make.
 */
class ExamplesTest {
  static final Path DIR = Path.of("etc/examples");
  static final String EXPECT_WARNING = "# expect-warning: ";
  static final String PIRANHA_READS_IT = "Piranha reads this file";
  static final LvsConfigParser PARSER =
      new LvsConfigParser(HostResolver.none(), ServiceNames.fromLines(List.of()));

  static Stream<Path> examples() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(DIR)) {
      s.filter(p -> p.getFileName().toString().endsWith(".lvs.cf")).sorted().forEach(out::add);
    }
    return out.stream();
  }

  static List<String> expectedWarnings(List<String> lines) {
    return lines.stream()
        .filter(l -> l.startsWith(EXPECT_WARNING))
        .map(l -> l.substring(EXPECT_WARNING.length()).strip())
        .toList();
  }

  /** Every warning matches one announced text, and every announced text one warning. */
  static void assertWarnings(List<Diagnostic> warnings, List<String> expected) {
    List<String> messages = warnings.stream().map(Diagnostic::message).toList();
    assertThat(messages)
        .as("warnings (announce each with '%s...'): %s", EXPECT_WARNING, warnings)
        .hasSameSizeAs(expected);
    for (String e : expected) {
      assertThat(messages).as("a warning containing '%s'", e).anyMatch(m -> m.contains(e));
    }
    for (String m : messages) {
      assertThat(expected).as("an expect-warning line for '%s'", m).anyMatch(m::contains);
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void every_example_parses_with_exactly_the_warnings_it_announces(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    ParsedConfig parsed;
    try {
      parsed = PARSER.parse(file);
    } catch (ConfigException e) {
      fail("%s does not parse:%n%s", file, e.getMessage());
      return;
    }
    assertThat(parsed.config().activeVirtuals()).as("%s has an active virtual", file).isNotEmpty();
    assertWarnings(parsed.warnings(), expectedWarnings(lines));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void an_example_that_says_piranha_reads_it_uses_no_extension(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.stream().noneMatch(l -> l.contains(PIRANHA_READS_IT))) {
      return;
    }
    for (Keys.Spec k : Keys.all()) {
      if (k.extension()) {
        Pattern directive = Pattern.compile("^\\s*" + Pattern.quote(k.name()) + "\\s*=");
        assertThat(lines)
            .as("%s claims Piranha reads it but sets the extension key %s", file, k.name())
            .noneMatch(l -> directive.matcher(l).find());
      }
    }
    for (String l : lines) {
      String t = l.strip();
      assertThat(t.startsWith("#") || !t.contains("#"))
          .as("%s claims Piranha reads it but has a trailing comment: %s", file, l)
          .isTrue();
    }
  }

  @Test
  void there_is_one_sample_per_feature_and_the_configuration_guide_lists_each() throws IOException {
    List<Path> samples = examples().toList();
    assertThat(samples)
        .extracting(p -> p.getFileName().toString())
        .contains(
            "tftp-fwmark.lvs.cf",
            "nat-web.lvs.cf",
            "udp-dns.lvs.cf",
            "send-program.lvs.cf",
            "sorry-server.lvs.cf",
            "director-pair-hmac.lvs.cf",
            "quiesce-slow-start.lvs.cf");
    String guide = Files.readString(Path.of("docs/configuration.md"), StandardCharsets.UTF_8);
    for (Path p : samples) {
      assertThat(guide).as("docs/configuration.md links %s", p).contains(p.toString());
    }
  }

  @Test
  void an_unannounced_or_missing_warning_fails_the_check() {
    Diagnostic w = Diagnostic.warning("f", 1, 1, "quiesce_server with persistent: ...");
    assertWarnings(List.of(w), List.of("quiesce_server with persistent"));
    assertWarnings(List.of(), List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertWarnings(List.of(w), List.of()))
        .isInstanceOf(AssertionError.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> assertWarnings(List.of(), List.of("quiesce_server with persistent")))
        .isInstanceOf(AssertionError.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> assertWarnings(List.of(w), List.of("weight 0")))
        .isInstanceOf(AssertionError.class);
  }
}
