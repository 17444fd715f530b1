package io.lvspulse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * One test-name style: every test method is a snake_case sentence ({@code
 * a_reload_that_removes_a_server_drains_it}). A word is lower case, or all capitals when it is a
 * flag or a constant ({@code a_batch_is_one_ipvsadm_R_call}). Scans every compiled test class, unit
 * tests and ITs alike.
 */
class TestNamesTest {
  private static final Pattern SNAKE =
      Pattern.compile("[a-z][a-z0-9]*(?:_(?:[a-z0-9]+|[A-Z0-9]+))*");

  private static final List<Class<? extends Annotation>> TEST_ANNOTATIONS =
      List.of(
          Test.class,
          ParameterizedTest.class,
          RepeatedTest.class,
          TestFactory.class,
          TestTemplate.class);

  static boolean isSnakeCase(String name) {
    return SNAKE.matcher(name).matches();
  }

  /** The root of the compiled test classes this class was loaded from. */
  static Path testClasses() throws URISyntaxException {
    return Path.of(TestNamesTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** Every test method of every compiled test class under {@code root}, as Class#method. */
  static List<String> offenders(Path root) throws IOException {
    ClassLoader loader = TestNamesTest.class.getClassLoader();
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.toString().endsWith(".class"))
          .map(p -> root.relativize(p).toString())
          .map(s -> s.substring(0, s.length() - ".class".length()).replace('/', '.'))
          .sorted()
          .flatMap(
              name -> {
                Class<?> c;
                try {
                  c = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                  throw new AssertionError("cannot load test class " + name, e);
                }
                return Stream.of(c.getDeclaredMethods())
                    .filter(TestNamesTest::isTest)
                    .filter(m -> !isSnakeCase(m.getName()))
                    .map(m -> c.getName() + "#" + m.getName());
              })
          .sorted()
          .toList();
    }
  }

  private static boolean isTest(Method m) {
    return TEST_ANNOTATIONS.stream().anyMatch(m::isAnnotationPresent);
  }

  @Test
  void every_test_method_is_a_snake_case_sentence() throws Exception {
    Path root = testClasses();
    assertThat(root.resolve("io/lvspulse/testing/TestNamesTest.class")).exists();
    assertThat(offenders(root))
        .as("test methods that are not snake_case sentences (rename them)")
        .isEmpty();
  }

  @Test
  void the_check_finds_the_test_methods_it_judges() throws Exception {
    // a scan that loads nothing would pass vacuously: this class's own methods must be seen
    assertThat(isTest(getClass().getDeclaredMethod("every_test_method_is_a_snake_case_sentence")))
        .isTrue();
    assertThat(isTest(getClass().getDeclaredMethod("isTest", Method.class))).isFalse();
  }

  @Test
  void snake_case_words_are_lower_case_or_all_capitals() {
    assertThat(isSnakeCase("a_reload_that_removes_a_server_drains_it")).isTrue();
    assertThat(isSnakeCase("a_batch_is_one_ipvsadm_R_call_with_every_line_on_stdin")).isTrue();
    assertThat(isSnakeCase("block_numbers_wrap_around_after_65535")).isTrue();
    assertThat(isSnakeCase("parses")).isTrue();
    assertThat(isSnakeCase("parsesEmptyFile")).isFalse();
    assertThat(isSnakeCase("parses_emptyFile")).isFalse();
    assertThat(isSnakeCase("Parses_empty_file")).isFalse();
    assertThat(isSnakeCase("parses__empty_file")).isFalse();
    assertThat(isSnakeCase("parses_empty_file_")).isFalse();
    assertThat(isSnakeCase("parses_Empty_file")).isFalse();
  }
}
