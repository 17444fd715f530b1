package io.lvspulse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No test sleeps bare. A wait for a condition is Awaitility ({@link Waits}) or the injected clock;
 * a delay that is the point of a test goes through {@link Pause}, which says why. Every other
 * {@code Thread.sleep}, {@code TimeUnit.X.sleep} or {@code Thread::sleep} in src/test/java fails
 * here, named by file and line.
 */
class NoBareSleepTest {
  static final Path TESTS = Path.of("src/test/java");
  static final Path PAUSE = TESTS.resolve("io/lvspulse/testing/Pause.java");
  static final Path SELF = TESTS.resolve("io/lvspulse/testing/NoBareSleepTest.java");
  private static final Pattern SLEEP =
      Pattern.compile(
          "Thread\\s*\\.\\s*sleep\\s*\\(|TimeUnit\\s*\\.\\s*\\w+\\s*\\.\\s*sleep\\s*\\(|Thread::sleep");

  /** The bare sleeps of one file, as file:line: text. */
  static List<String> bareSleeps(Path file, String text) {
    List<String> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = SLEEP.matcher(lines[i]);
      if (m.find()) {
        out.add(file + ":" + (i + 1) + ": " + lines[i].strip());
      }
    }
    return out;
  }

  @Test
  void no_test_sleeps_outside_the_pause_helper() throws IOException {
    assertThat(PAUSE).exists();
    assertThat(SELF).exists();
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(TESTS)) {
      files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.equals(PAUSE) && !p.equals(SELF)) // the helper, and this check's own text
          .sorted()
          .forEach(
              p -> {
                try {
                  found.addAll(bareSleeps(p, Files.readString(p, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    assertThat(found)
        .as(
            "bare sleeps: wait with Awaitility (Waits) or the clock, or pace with Pause.pace(d, why)")
        .isEmpty();
  }

  @Test
  void every_form_of_a_sleep_is_found() {
    Path f = Path.of("X.java");
    assertThat(bareSleeps(f, "a();\n    Thread.sleep(20);\n"))
        .containsExactly("X.java:2: Thread.sleep(20);");
    assertThat(bareSleeps(f, "TimeUnit.MILLISECONDS.sleep(ms);")).hasSize(1);
    assertThat(bareSleeps(f, "new IpvsReconciler(b, r, p, Thread::sleep);")).hasSize(1);
    assertThat(bareSleeps(f, "Pause.pace(Duration.ofMillis(20), \"a rate\");")).isEmpty();
    assertThat(bareSleeps(f, "IpvsReconciler.Sleeper.real()")).isEmpty();
  }
}
