package io.lvspulse.testing;

import java.nio.file.Path;

/**
 * The example lvs.cf files the tests read ({@code src/test/resources/examples/valid} and {@code
 * invalid}): Piranha-format configs, valid and broken, kept with the project.
 */
public final class Examples {
  private Examples() {}

  /** {@code src/test/resources/examples} (tests run in the project directory). */
  public static Path dir() {
    return Path.of("src/test/resources/examples").toAbsolutePath();
  }

  /** One example, e.g. {@code valid/nat-web.lvs.cf}. */
  public static Path file(String relative) {
    return dir().resolve(relative);
  }
}
