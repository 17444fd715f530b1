package io.lvspulse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * Every production package declares {@code @NullMarked} in its package-info.java. NullAway checks
 * all of io.lvspulse whatever the annotation says (pom.xml: AnnotatedPackages), so this is what
 * tells IDEs and other JSpecify tools the same thing: unannotated types are non-null.
 */
class NullMarkedPackagesTest {
  private static final Path MAIN = Path.of("src/main/java");

  @Test
  void every_main_package_is_null_marked() throws IOException {
    List<Path> packages;
    try (Stream<Path> files = Files.walk(MAIN)) {
      packages =
          files
              .filter(f -> f.getFileName().toString().endsWith(".java"))
              .map(Path::getParent)
              .distinct()
              .sorted()
              .toList();
    }
    assertThat(packages).hasSizeGreaterThan(10);
    assertThat(packages)
        .allSatisfy(
            dir -> {
              String pkg = MAIN.relativize(dir).toString().replace('/', '.');
              assertThat(dir.resolve("package-info.java")).exists();
              assertThat(Class.forName(pkg + ".package-info").isAnnotationPresent(NullMarked.class))
                  .as("%s is @NullMarked", pkg)
                  .isTrue();
            });
  }
}
