package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.testing.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The committed key references are what the key table generates: the region of {@code
 * docs/configuration.md} between its markers, and {@code man/lvs.cf.5}. With {@code
 * -Dlvspulse.regen=true} the test rewrites them instead of failing.
 */
class KeyReferenceTest {
  static final Path CONFIGURATION_MD = Path.of("docs/configuration.md");
  static final Path MAN_PAGE = Path.of("man/lvs.cf.5");
  static final boolean REGEN = Boolean.getBoolean("lvspulse.regen");

  @Test
  void the_key_tables_of_docs_configuration_md_are_generated_from_the_key_table() throws Exception {
    String committed = Files.readString(CONFIGURATION_MD, StandardCharsets.UTF_8);
    String generated = KeyReference.withRegion(committed);
    if (REGEN) {
      Files.writeString(CONFIGURATION_MD, generated, StandardCharsets.UTF_8);
      committed = generated;
    }
    assertThat(committed)
        .as(
            "%s differs from the key table (config/Keys.java); regenerate it with: %s",
            CONFIGURATION_MD, KeyReference.REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void man_lvs_cf_5_is_generated_from_the_key_table() throws Exception {
    String generated = KeyReference.manPage();
    if (REGEN) {
      Files.createDirectories(MAN_PAGE.getParent());
      Files.writeString(MAN_PAGE, generated, StandardCharsets.UTF_8);
    }
    String committed = Files.readString(MAN_PAGE, StandardCharsets.UTF_8);
    assertThat(committed)
        .as(
            "%s differs from the key table (config/Keys.java); regenerate it with: %s",
            MAN_PAGE, KeyReference.REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void every_key_is_in_both_references() {
    String md = KeyReference.markdown();
    String man = KeyReference.manPage();
    for (Keys.Spec k : Keys.all()) {
      assertThat(md).contains("| `" + k.name() + "` |");
      assertThat(man).contains("\\fB" + k.name().replace("\\", "\\e") + " =\\fR");
    }
  }

  @Test
  void the_man_page_example_is_a_valid_lvs_cf() throws Exception {
    ParsedConfig p = TestParsers.parser().parse("EXAMPLE", KeyReference.EXAMPLE);
    assertThat(p.config().activeVirtuals()).hasSize(1);
    assertThat(p.warnings()).isEmpty();
  }

  /** groff's own check of the man page: no warning of any kind ({@code -ww}). */
  @Test
  void the_man_page_renders_without_a_groff_warning() {
    Path groff =
        Peers.requireExecutable("groff (Debian: groff-base)", "LVS_PULSE_GROFF", "/usr/bin/groff");
    ExecResult r =
        new ExecRunner()
            .run(
                ExecRequest.of(
                        Duration.ofSeconds(30),
                        groff.toString(),
                        "-man",
                        "-Tutf8",
                        "-ww",
                        "-z",
                        MAN_PAGE.toString())
                    .withEnv("LC_ALL", "C.UTF-8"));
    assertThat(r.succeeded()).as(r.describe()).isTrue();
    assertThat(r.stderr()).as("groff warnings").isEmpty();
  }
}
