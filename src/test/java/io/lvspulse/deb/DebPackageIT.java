package io.lvspulse.deb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.Commands;
import io.lvspulse.testing.Peers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The .deb that {@code mvn package} builds, read with {@code dpkg-deb} and judged by {@code
 * lintian} (no root needed; {@code DebInstallIT} installs it).
 */
class DebPackageIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private static Commands.Result ok(String... command) throws Exception {
    Commands.Result r = Commands.run(TIMEOUT, command);
    assertThat(r.code()).as(r.describe()).isZero();
    return r;
  }

  private static String field(Path deb, String name) throws Exception {
    return ok("dpkg-deb", "--field", deb.toString(), name).stdout().strip();
  }

  @Test
  void the_control_fields_name_the_package_its_debian_version_and_its_dependencies()
      throws Exception {
    Path deb = DebFile.deb();

    assertThat(deb.getFileName().toString())
        .isEqualTo("lvs-pulse_" + DebFile.debianVersion() + "_all.deb");
    assertThat(field(deb, "Package")).isEqualTo("lvs-pulse");
    assertThat(field(deb, "Version")).isEqualTo(DebFile.debianVersion());
    assertThat(field(deb, "Architecture")).isEqualTo("all");
    assertThat(field(deb, "Depends"))
        .isEqualTo(
            "default-jre-headless | java17-runtime-headless, ipvsadm, iproute2, iputils-arping,"
                + " adduser");
    if (DebFile.mavenVersion().endsWith("-SNAPSHOT")) {
      Commands.Result older =
          Commands.run(
              TIMEOUT,
              "dpkg",
              "--compare-versions",
              DebFile.debianVersion(),
              "lt",
              DebFile.mavenVersion().replace("-SNAPSHOT", ""));
      assertThat(older.code()).as("a snapshot sorts before its release").isZero();
    }
  }

  @Test
  void it_installs_the_jar_the_launcher_the_unit_and_five_conffiles_all_owned_by_root()
      throws Exception {
    Path deb = DebFile.deb();
    String contents = ok("dpkg-deb", "--contents", deb.toString()).stdout();

    assertThat(entry(contents, "./usr/lib/lvs-pulse/lvs-pulse.jar")).startsWith("-rw-r--r--");
    assertThat(entry(contents, "./usr/sbin/lvs-pulse")).startsWith("-rwxr-xr-x");
    assertThat(entry(contents, "./lib/systemd/system/lvs-pulse.service")).startsWith("-rw-r--r--");
    for (String f :
        List.of(
            "./etc/default/lvs-pulse",
            "./etc/lvs-pulse/logback.xml",
            "./etc/lvs-pulse/lvs.cf.example",
            "./etc/modules-load.d/lvs-pulse.conf",
            "./etc/sysctl.d/90-lvs-pulse.conf",
            "./usr/share/doc/lvs-pulse/copyright",
            "./usr/share/doc/lvs-pulse/changelog.gz",
            "./usr/share/doc/lvs-pulse/examples/bird/lvs-pulse-director.conf",
            "./usr/share/doc/lvs-pulse/examples/bird/router-ecmp.conf")) {
      assertThat(entry(contents, f)).as(f).startsWith("-rw-r--r--");
    }
    assertThat(contents.lines().toList())
        .as("every entry owned by root")
        .allMatch(l -> l.split("\\s+")[1].equals("root/root"));
    assertThat(contents).as("the lvs.cf itself is the administrator's").doesNotContain("lvs.cf ");

    Path control = Files.createTempDirectory("lvs-pulse-deb-control-");
    try {
      ok("dpkg-deb", "--control", deb.toString(), control.toString());
      assertThat(Files.readAllLines(control.resolve("conffiles")))
          .containsExactlyInAnyOrder(
              "/etc/default/lvs-pulse",
              "/etc/lvs-pulse/logback.xml",
              "/etc/lvs-pulse/lvs.cf.example",
              "/etc/modules-load.d/lvs-pulse.conf",
              "/etc/sysctl.d/90-lvs-pulse.conf");
    } finally {
      try (var s = Files.walk(control)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void lintian_reports_no_error() throws Exception {
    Path lintian =
        Peers.requireExecutable(
            "lintian (Debian package lintian)", "LVS_PULSE_LINTIAN", "/usr/bin/lintian");
    Path deb = DebFile.deb();

    Commands.Result r =
        Commands.run(
            TIMEOUT,
            Map.of(),
            Set.of(),
            List.of(lintian.toString(), "--pedantic", "--display-info", deb.toString()));
    String out = r.stdout() + r.stderr();
    System.out.println("lintian " + deb.getFileName() + ":\n" + out);

    List<String> errors = out.lines().filter(l -> l.startsWith("E: ")).toList();
    assertThat(errors).as("lintian errors:\n" + out).isEmpty();
    assertThat(r.code()).as(r.describe()).isZero();
    assertThat(out)
        .as("the override with its reason is in use")
        .doesNotContain("jar-not-in-usr-share");
  }

  private static String entry(String contents, String path) {
    Matcher m = Pattern.compile("(?m)^(\\S+ .* " + Pattern.quote(path) + ")$").matcher(contents);
    assertThat(m.find()).as(path + " in\n" + contents).isTrue();
    return m.group(1);
  }
}
