package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our own corpus of broken files: each {@code src/test/resources/config/invalid/NAME.lvs.cf} starts
 * with {@code # expect: NAME.lvs.cf:LINE:COL: error: MESSAGE}, the exact first error.
 */
class InvalidCorpusTest {
  static final Path DIR = Path.of("src/test/resources/config/invalid");

  static Stream<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".lvs.cf")).sorted().toList().stream();
    }
  }

  @Test
  void the_corpus_has_at_least_forty_files() throws IOException {
    assertThat(files().count()).isGreaterThanOrEqualTo(40);
  }

  @ParameterizedTest
  @MethodSource("files")
  void each_broken_file_is_rejected_with_its_exact_message(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String first = text.lines().findFirst().orElseThrow();
    assertThat(first).startsWith("# expect: ");
    String expected = first.substring("# expect: ".length());
    String name = file.getFileName().toString();
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> TestParsers.parser().parse(name, text));
    assertThat(e).as("%s must be rejected", name).isNotNull();
    assertThat(e.errors().get(0).toString()).isEqualTo(expected);
    for (Diagnostic d : e.errors()) {
      assertThat(d.line()).isGreaterThanOrEqualTo(1);
      assertThat(d.column()).isGreaterThanOrEqualTo(1);
    }
  }
}
