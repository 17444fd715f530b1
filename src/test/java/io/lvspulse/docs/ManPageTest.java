package io.lvspulse.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.cli.Main;
import io.lvspulse.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * man/lvs-pulse.8 is generated from the picocli model: it fails when a command, option or
 * description changes without regenerating the page ({@code -Dlvspulse.regen=true} rewrites it).
 */
class ManPageTest {
  static final Path PAGE = Path.of("man/lvs-pulse.8");

  @Test
  void the_committed_man_page_is_what_the_command_line_model_renders() throws IOException {
    String rendered = ManPage.render(Main.commandLine());
    if (Boolean.getBoolean("lvspulse.regen")) {
      Files.createDirectories(PAGE.getParent());
      Files.writeString(PAGE, rendered, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
        .as(
            "%s is out of date with the @Command classes; regenerate it: %s",
            PAGE, ManPage.REGENERATE)
        .isEqualTo(rendered);
  }

  @Test
  void every_command_and_visible_option_is_in_the_page() {
    String page = ManPage.render(Main.commandLine());
    List<CommandLine> all = new ArrayList<>();
    collect(Main.commandLine(), all);
    assertThat(all).hasSizeGreaterThan(8);
    for (CommandLine cl : all) {
      String name = cl.getCommandSpec().qualifiedName();
      assertThat(page).contains(".SS \"" + ManPage.escape(name) + "\"");
      for (OptionSpec o : cl.getCommandSpec().options()) {
        String term = ManPage.bold(o.longestName());
        if (o.hidden()) {
          assertThat(page).as("hidden %s of %s", o.longestName(), name).doesNotContain(term + "=");
        } else {
          assertThat(page).as("%s of %s", o.longestName(), name).contains(term);
        }
      }
    }
  }

  private static void collect(CommandLine cl, List<CommandLine> out) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      out.add(sub);
      collect(sub, out);
    }
  }

  @Test
  void text_from_the_model_cannot_start_a_troff_request_or_escape() {
    assertThat(ManPage.text(".SH oops")).isEqualTo("\\&.SH oops");
    assertThat(ManPage.text("'br")).isEqualTo("\\(aqbr");
    assertThat(ManPage.text("a \\fB b")).isEqualTo("a \\efB b");
    assertThat(ManPage.text("use `ipvsadm -R` now")).isEqualTo("use \\fBipvsadm \\-R\\fR now");
    assertThat(ManPage.text("a ` alone")).isEqualTo("a \\(ga alone");
    assertThat(ManPage.escape("--set-sysctls \"x\"")).isEqualTo("\\-\\-set\\-sysctls \\(dqx\\(dq");
  }

  @Test
  void groff_renders_the_page_without_a_warning() throws Exception {
    Path groff =
        Peers.requireExecutable(
            "groff (Debian package groff-base)", "LVS_PULSE_GROFF", "/usr/bin/groff");
    Process p =
        new ProcessBuilder(groff.toString(), "-man", "-Tutf8", "-ww", "-z", PAGE.toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("groff finished").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as("groff -ww warnings").isEmpty();
  }
}
