package io.lvspulse.deb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.bench.DaemonBench;
import io.lvspulse.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/deb/bin/lvs-pulse}, the package's {@code /usr/sbin/lvs-pulse}: run with a stand-in
 * {@code JAVA} that prints each argument it gets on its own line, so the exact argument list is
 * checked.
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("src", "deb", "bin", "lvs-pulse").toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private Path fakeJava;

  @BeforeEach
  void writeFakeJava() throws Exception {
    fakeJava = dir.resolve("java");
    Files.writeString(fakeJava, "#!/bin/sh\nprintf '[%s]\\n' \"$@\"\n");
    Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private List<String> javaArguments(Map<String, String> env, Set<String> unset, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("JAVA", fakeJava.toString());
    all.put("LVS_PULSE_JAR", "/opt/x/lvs-pulse.jar");
    Commands.Result r = Commands.run(TIMEOUT, all, unset, cmd);
    assertThat(r.code()).as(r.describe()).isZero();
    return r.stdout().lines().map(l -> l.substring(1, l.length() - 1)).toList();
  }

  @Test
  void the_launcher_is_executable() {
    assertThat(Files.isExecutable(LAUNCHER)).isTrue();
  }

  @Test
  void java_opts_are_split_on_blanks_without_globbing_then_come_the_jar_and_every_argument()
      throws Exception {
    assertThat(
            javaArguments(
                Map.of("JAVA_OPTS", "-Xmx64m pom.x*  -XX:+UseSerialGC"),
                Set.of("LVS_PULSE_LOGBACK"),
                "check-config",
                "a file with blanks"))
        .containsExactly(
            "-Xmx64m",
            "pom.x*", // not pom.xml of the working directory
            "-XX:+UseSerialGC",
            "-jar",
            "/opt/x/lvs-pulse.jar",
            "check-config",
            "a file with blanks");
  }

  @Test
  void without_java_opts_it_uses_the_jvm_flags_of_the_options_file_which_are_the_units()
      throws Exception {
    Path defaults = Path.of("etc", "default", "lvs-pulse").toAbsolutePath();
    List<String> args =
        javaArguments(
            Map.of("LVS_PULSE_DEFAULTS", defaults.toString()),
            Set.of("JAVA_OPTS", "LVS_PULSE_LOGBACK"),
            "--version");
    List<String> expected = new ArrayList<>(DaemonBench.SYSTEMD_JAVA_OPTS);
    expected.addAll(List.of("-jar", "/opt/x/lvs-pulse.jar", "--version"));
    assertThat(args).isEqualTo(expected);
  }

  @Test
  void a_quoted_java_opts_line_loses_its_quotes_and_an_empty_java_opts_means_no_flags()
      throws Exception {
    Path defaults = dir.resolve("defaults");
    Files.writeString(defaults, "# comment\nJAVA_OPTS=\"-Xmx32m -Xss256k\"\nLVS_PULSE_OPTS=\n");
    assertThat(
            javaArguments(
                Map.of("LVS_PULSE_DEFAULTS", defaults.toString()),
                Set.of("JAVA_OPTS", "LVS_PULSE_LOGBACK"),
                "status"))
        .containsExactly("-Xmx32m", "-Xss256k", "-jar", "/opt/x/lvs-pulse.jar", "status");
    assertThat(
            javaArguments(
                Map.of("LVS_PULSE_DEFAULTS", defaults.toString(), "JAVA_OPTS", ""),
                Set.of("LVS_PULSE_LOGBACK"),
                "status"))
        .containsExactly("-jar", "/opt/x/lvs-pulse.jar", "status");
  }

  @Test
  void lvs_pulse_logback_adds_the_logback_configuration_file() throws Exception {
    assertThat(
            javaArguments(
                Map.of("JAVA_OPTS", "-Xmx64m", "LVS_PULSE_LOGBACK", "/etc/lvs-pulse/logback.xml"),
                Set.of(),
                "run"))
        .containsExactly(
            "-Xmx64m",
            "-Dlogback.configurationFile=/etc/lvs-pulse/logback.xml",
            "-jar",
            "/opt/x/lvs-pulse.jar",
            "run");
  }
}
