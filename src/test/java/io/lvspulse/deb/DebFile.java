package io.lvspulse.deb;

import io.lvspulse.testing.Peers;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the package built by {@code mvn package} and what its version must be. */
final class DebFile {
  private DebFile() {}

  /** {@code target/lvs-pulse_<version>_all.deb} (system property {@code lvspulse.deb}). */
  static Path deb() {
    String p = System.getProperty("lvspulse.deb");
    Path deb =
        p == null ? Path.of("target", "lvs-pulse_" + debianVersion() + "_all.deb") : Path.of(p);
    Peers.require(Files.isRegularFile(deb), "Debian package " + deb + " (run mvn package first)");
    return deb.toAbsolutePath();
  }

  /** The Maven version ({@code lvspulse.version}). */
  static String mavenVersion() {
    String v = System.getProperty("lvspulse.version");
    Peers.require(v != null && !v.isBlank(), "system property lvspulse.version (run under Maven)");
    return v;
  }

  /**
   * The Debian version of a Maven version: every '-' becomes '~', so a snapshot sorts before its
   * release (0.1.0-SNAPSHOT becomes 0.1.0~SNAPSHOT, and 0.1.0~SNAPSHOT &lt; 0.1.0 for dpkg).
   */
  static String debianVersion() {
    return mavenVersion().replace('-', '~');
  }
}
