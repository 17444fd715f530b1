package io.lvspulse.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find their real peers (TFTP servers, the lab's IPVS directors), and the rule for a
 * missing one: skip on a developer's machine, fail when {@code CI=true}.
 */
public final class Peers {
  private Peers() {}

  /** True when running under CI, where a missing peer is an error rather than a skip. */
  public static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips the test (or fails it under CI) unless {@code available}. */
  public static void require(boolean available, String what) {
    if (available) {
      return;
    }
    String msg = "required test peer is missing: " + what;
    if (ci()) {
      fail(msg + " (CI=true, so this is a failure, not a skip)");
    }
    Assumptions.abort(msg);
  }

  /** Returns the executable named by env {@code envVar}, or the first default path that exists. */
  public static Optional<Path> executable(String envVar, String... defaults) {
    String fromEnv = System.getenv(envVar);
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path p = Paths.get(fromEnv);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    for (String d : defaults) {
      Path p = Paths.get(d);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Requires an executable (see {@link #executable}) and returns it. */
  public static Path requireExecutable(String what, String envVar, String... defaults) {
    Optional<Path> p = executable(envVar, defaults);
    require(
        p.isPresent(),
        what + " (set " + envVar + " or install it at one of " + String.join(", ", defaults) + ")");
    return p.orElseThrow();
  }

  /**
   * The lab's state directory ({@code LVS_LAB_STATE}, default {@code /var/tmp/lvs-pulse-lab2}, as
   * in {@code lab/lib.sh}): {@code lab/setup} unpacks tftpd-hpa and atftpd under {@code cache/}.
   */
  public static Path labState() {
    String s = System.getenv("LVS_LAB_STATE");
    return Paths.get(s == null || s.isBlank() ? "/var/tmp/lvs-pulse-lab2" : s);
  }

  /** The shaded jar built by {@code mvn package} (system property {@code lvspulse.jar}). */
  public static Path jar() {
    String p = System.getProperty("lvspulse.jar");
    Path jar = p == null ? Paths.get("target", "lvs-pulse.jar") : Paths.get(p);
    require(Files.isRegularFile(jar), "shaded jar " + jar + " (run mvn package first)");
    return jar.toAbsolutePath();
  }

  /** The tftpd-hpa server binary. */
  public static Path inTftpd() {
    return requireExecutable(
        "tftpd-hpa in.tftpd",
        "LVS_PULSE_IN_TFTPD",
        labState().resolve("cache/root-tftpd-hpa/usr/sbin/in.tftpd").toString(),
        "/usr/sbin/in.tftpd");
  }

  /** The atftpd server binary. */
  public static Path atftpd() {
    return requireExecutable(
        "atftpd",
        "LVS_PULSE_ATFTPD",
        labState().resolve("cache/root-atftpd/usr/sbin/atftpd").toString(),
        "/usr/sbin/atftpd");
  }

  /** The dnsmasq binary. */
  public static Path dnsmasq() {
    return requireExecutable("dnsmasq", "LVS_PULSE_DNSMASQ", "/usr/sbin/dnsmasq");
  }
}
