package io.lvspulse.deb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.Commands;
import io.lvspulse.testing.Peers;
import io.lvspulse.testing.Waits;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Installs the .deb on this machine with dpkg, uses it, and purges it: the system is left as it
 * was. Needs root (skips on a developer's machine, fails when {@code CI=true}); run it under the
 * machine-wide test lock ({@code flock /tmp/lvs-pulse-it.lock}).
 */
class DebInstallIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final String PKG = "lvs-pulse";
  private static final List<String> CONFFILES =
      List.of(
          "/etc/default/lvs-pulse",
          "/etc/lvs-pulse/logback.xml",
          "/etc/lvs-pulse/lvs.cf.example",
          "/etc/modules-load.d/lvs-pulse.conf",
          "/etc/sysctl.d/90-lvs-pulse.conf");

  /** What deb-systemd-helper leaves for an enabled unit. */
  private static final List<String> SYSTEMD_STATE =
      List.of(
          "/etc/systemd/system/multi-user.target.wants/lvs-pulse.service",
          "/var/lib/systemd/deb-systemd-helper-enabled/lvs-pulse.service.dsh-also",
          "/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/lvs-pulse.service");

  /** Directories that belong to this package alone. */
  private static final List<String> OWN_DIRECTORIES =
      List.of(
          "/usr/lib/lvs-pulse", "/etc/lvs-pulse", "/usr/share/doc/lvs-pulse", "/var/lib/lvs-pulse");

  @BeforeEach
  void requireRootAndACleanMachine() throws Exception {
    Peers.require(Commands.root(), "root (dpkg -i installs on this machine)");
    Peers.requireExecutable("dpkg", "LVS_PULSE_DPKG", "/usr/bin/dpkg");
    DebFile.deb();
    if (installed()) {
      // Left by an interrupted run of this test: start from a clean machine.
      System.out.println("DebInstallIT: purging a lvs-pulse package left installed");
      dpkg("--purge", PKG);
    }
    Peers.require(
        !exists("getent", "passwd", "lvs-pulse"),
        "a machine without a user lvs-pulse that the package did not create");
  }

  @AfterEach
  void purgeWhateverHappened() throws Exception {
    if (Commands.root() && installed()) {
      dpkg("--purge", PKG);
    }
  }

  @Test
  void the_package_installs_runs_its_cli_passes_systemd_analyze_and_purges_without_a_trace()
      throws Exception {
    Path deb = DebFile.deb();
    List<String> packaged = packagedFiles(deb);

    install(deb);
    assertThat(status()).isEqualTo("install ok installed");
    for (String f : packaged) {
      assertThat(Path.of(f)).as(f).exists();
    }
    assertThat(Files.isExecutable(Path.of("/usr/sbin/lvs-pulse"))).isTrue();
    assertThat(query("${Conffiles}").lines().map(l -> l.strip().split(" ")[0]).toList())
        .containsExactlyInAnyOrderElementsOf(CONFFILES);

    // The system user: no login, a system uid, its own group.
    String[] user = ok("getent", "passwd", "lvs-pulse").stdout().strip().split(":");
    assertThat(Integer.parseInt(user[2])).as("a system uid").isLessThan(1000);
    assertThat(user[6]).isEqualTo("/usr/sbin/nologin");
    String[] group = ok("getent", "group", "lvs-pulse").stdout().strip().split(":");
    assertThat(user[3]).as("primary group").isEqualTo(group[2]);
    // Enabled (deb-systemd-helper works whether or not systemd runs).
    assertThat(Files.isSymbolicLink(Path.of(SYSTEMD_STATE.get(0)))).isTrue();

    Commands.Result version = ok("/usr/sbin/lvs-pulse", "--version");
    assertThat(version.stdout().strip()).isEqualTo("lvs-pulse " + DebFile.mavenVersion());

    Commands.Result check =
        ok("/usr/sbin/lvs-pulse", "check-config", "/etc/lvs-pulse/lvs.cf.example");
    assertThat(check.stdout()).contains("/etc/lvs-pulse/lvs.cf.example");

    // Without JAVA_OPTS the launcher takes the service's JVM flags from /etc/default/lvs-pulse.
    Path printArgs = Files.createTempFile("lvs-pulse-java-", ".sh");
    try {
      Files.writeString(printArgs, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
      printArgs.toFile().setExecutable(true);
      Commands.Result args =
          Commands.run(
              TIMEOUT,
              Map.of("JAVA", printArgs.toString()),
              Set.of("JAVA_OPTS", "LVS_PULSE_DEFAULTS", "LVS_PULSE_JAR", "LVS_PULSE_LOGBACK"),
              List.of("/usr/sbin/lvs-pulse", "status"));
      assertThat(args.stdout().lines().toList())
          .as(args.describe())
          .contains("-Xmx64m", "-jar", "/usr/lib/lvs-pulse/lvs-pulse.jar", "status");
    } finally {
      Files.deleteIfExists(printArgs);
    }

    Path analyze =
        Peers.requireExecutable(
            "systemd-analyze", "LVS_PULSE_SYSTEMD_ANALYZE", "/usr/bin/systemd-analyze");
    // With man-db installed, verify also checks the unit's Documentation= man pages, ours included.
    boolean man = Files.isExecutable(Path.of("/usr/bin/man"));
    Commands.Result verify =
        man
            ? ok(analyze.toString(), "verify", "/lib/systemd/system/lvs-pulse.service")
            : ok(analyze.toString(), "verify", "--man=no", "/lib/systemd/system/lvs-pulse.service");
    if (man) {
      assertThat(ok("man", "-w", "lvs-pulse").stdout().strip())
          .isEqualTo("/usr/share/man/man8/lvs-pulse.8.gz");
    }
    assertThat(verify.stderr()).as("no complaint about the unit").doesNotContain("lvs-pulse");

    // A second installation over the first (an upgrade or reinstall) keeps the same user.
    install(deb);
    assertThat(ok("getent", "passwd", "lvs-pulse").stdout().strip().split(":")[2])
        .isEqualTo(user[2]);

    // remove: the program goes, the conffiles stay.
    dpkg("--remove", PKG);
    assertThat(status()).isEqualTo("deinstall ok config-files");
    assertThat(Path.of("/usr/lib/lvs-pulse/lvs-pulse.jar")).doesNotExist();
    assertThat(Path.of("/etc/default/lvs-pulse")).exists();

    // purge: nothing is left.
    dpkg("--purge", PKG);
    assertThat(installed()).isFalse();
    List<String> left = new ArrayList<>();
    for (String f : packaged) {
      if (Files.exists(Path.of(f), LinkOption.NOFOLLOW_LINKS)) {
        left.add(f);
      }
    }
    for (String f : OWN_DIRECTORIES) {
      if (Files.exists(Path.of(f), LinkOption.NOFOLLOW_LINKS)) {
        left.add(f);
      }
    }
    for (String f : SYSTEMD_STATE) {
      if (Files.exists(Path.of(f), LinkOption.NOFOLLOW_LINKS)) {
        left.add(f);
      }
    }
    assertThat(left).as("left after dpkg --purge").isEmpty();
    assertThat(exists("getent", "passwd", "lvs-pulse")).as("user lvs-pulse").isFalse();
    assertThat(exists("getent", "group", "lvs-pulse")).as("group lvs-pulse").isFalse();
  }

  /** Every non-directory path in the package. */
  private static List<String> packagedFiles(Path deb) throws Exception {
    return ok("dpkg-deb", "--contents", deb.toString())
        .stdout()
        .lines()
        .filter(l -> !l.startsWith("d"))
        .map(l -> l.substring(l.indexOf("./") + 1))
        .toList();
  }

  /**
   * {@code dpkg -i}; when a dependency is missing (CI's .ci/test installs them beforehand), {@code
   * apt-get -f install} brings it and finishes the configuration.
   */
  private static void install(Path deb) throws Exception {
    Commands.Result r = dpkgRaw("-i", deb.toString());
    if (r.code() != 0 && (r.stderr() + r.stdout()).contains("dependency problems")) {
      Commands.Result fix =
          Commands.run(
              Duration.ofMinutes(15),
              Map.of("DEBIAN_FRONTEND", "noninteractive"),
              Set.of(),
              List.of(
                  "apt-get",
                  "-o",
                  "DPkg::Lock::Timeout=600",
                  "-f",
                  "-y",
                  "-q",
                  "--no-install-recommends",
                  "install"));
      assertThat(fix.code()).as("missing dependencies: " + fix.describe()).isZero();
      return;
    }
    assertThat(r.code()).as(r.describe()).isZero();
  }

  private static void dpkg(String... args) throws Exception {
    Commands.Result r = dpkgRaw(args);
    assertThat(r.code()).as(r.describe()).isZero();
  }

  /** dpkg, waiting (bounded) while another apt or dpkg holds its lock. */
  private static Commands.Result dpkgRaw(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("dpkg"));
    cmd.addAll(List.of(args));
    AtomicReference<Commands.Result> last = new AtomicReference<>();
    Waits.until(
        "dpkg runs without waiting for its lock",
        Duration.ofMinutes(5),
        Duration.ofSeconds(5),
        () -> {
          Commands.Result r =
              Commands.run(
                  TIMEOUT, Map.of("DEBIAN_FRONTEND", "noninteractive"), Set.of(), List.copyOf(cmd));
          last.set(r);
          return r.code() == 0 || !(r.stderr().contains("lock") && r.stderr().contains("dpkg"));
        },
        () -> "another apt or dpkg held dpkg's lock for 5 min: " + last.get().describe());
    return last.get();
  }

  private static boolean installed() throws Exception {
    Commands.Result r = Commands.run(TIMEOUT, "dpkg-query", "-W", "-f=${Status}", PKG);
    return r.code() == 0 && !r.stdout().strip().endsWith("not-installed");
  }

  private static String status() throws Exception {
    return query("${Status}").strip();
  }

  private static String query(String format) throws Exception {
    return ok("dpkg-query", "-W", "-f=" + format, PKG).stdout();
  }

  private static boolean exists(String... command) throws Exception {
    return Commands.run(TIMEOUT, command).code() == 0;
  }

  private static Commands.Result ok(String... command) throws Exception {
    Commands.Result r = Commands.run(TIMEOUT, command);
    assertThat(r.code()).as(r.describe()).isZero();
    return r;
  }
}
