package io.lvspulse.deb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The maintainer scripts of {@code src/deb/control}: POSIX sh that parses, and refuses an action it
 * does not know before changing anything. What they do to a system is proven by {@code
 * DebInstallIT} with dpkg.
 */
class MaintainerScriptsTest {
  private static final Path CONTROL = Path.of("src", "deb", "control").toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @ParameterizedTest
  @ValueSource(strings = {"postinst", "prerm", "postrm"})
  void each_script_is_an_executable_posix_shell_script_with_set_e(String name) throws Exception {
    Path script = CONTROL.resolve(name);
    assertThat(Files.isExecutable(script)).isTrue();
    String text = Files.readString(script);
    assertThat(text).startsWith("#!/bin/sh\n").contains("\nset -e\n");

    Commands.Result r = Commands.run(TIMEOUT, "sh", "-n", script.toString());
    assertThat(r.code()).as(r.describe()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"postinst", "postrm"})
  void an_unknown_action_is_refused_with_exit_1(String name) throws Exception {
    Commands.Result r =
        Commands.run(
            TIMEOUT,
            Map.of(),
            Set.of(),
            List.of("sh", CONTROL.resolve(name).toString(), "no-such-action"));

    assertThat(r.code()).as(r.describe()).isEqualTo(1);
    assertThat(r.stderr()).contains("unknown argument 'no-such-action'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"postinst", "postrm"})
  void systemctl_runs_only_when_systemd_is_the_running_init(String name) throws Exception {
    List<String> lines = Files.readAllLines(CONTROL.resolve(name));
    boolean guarded = false;
    for (String line : lines) {
      if (line.contains("[ -d /run/systemd/system ]")) {
        guarded = true;
      }
      if (line.contains("systemctl ")) {
        assertThat(guarded).as("guarded before: " + line).isTrue();
      }
    }
  }
}
