package io.lvspulse.cli;

import io.lvspulse.admin.ApiToken;
import io.lvspulse.daemon.DaemonOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The runtime admin options of {@code run} (a picocli mixin): the state directory, the control
 * socket and the HTTP API's token file; {@code none} turns each off.
 */
final class AdminOptions {
  static final String DEFAULT_STATE_DIR = "/var/lib/lvs-pulse";

  @Option(
      names = "--state-dir",
      paramLabel = "DIR|none",
      defaultValue = DEFAULT_STATE_DIR,
      description =
          "where the admin state file (drain, maintenance) is kept across restarts; the unit's"
              + " StateDirectory (default: ${DEFAULT-VALUE}; none: in memory only)")
  String stateDir;

  @Option(
      names = "--control-socket",
      paramLabel = "PATH|none",
      defaultValue = "/run/lvs-pulse/control.sock",
      description =
          "the Unix socket lvs-pulse drain|maintenance|enable talk to (mode 0660, group"
              + " lvs-pulse; default: ${DEFAULT-VALUE}; none: no socket)")
  String controlSocket;

  @Option(
      names = "--api-token-file",
      paramLabel = "FILE|none",
      description =
          "the HTTP API's bearer token, a file only its owner can read (default:"
              + " $CREDENTIALS_DIRECTORY/api.token under systemd, else /etc/lvs-pulse/api.token;"
              + " a missing file or none: the API is off and the page read-only)")
  @Nullable String apiTokenFile;

  /** The options as the daemon takes them. */
  DaemonOptions.Admin toOptions() {
    return toOptions(System.getenv());
  }

  DaemonOptions.Admin toOptions(Map<String, String> env) {
    return new DaemonOptions.Admin(
        path(stateDir), path(controlSocket), tokenFile(apiTokenFile, env));
  }

  static Optional<Path> path(@Nullable String s) {
    return s == null || s.equals("none") || s.isBlank()
        ? Optional.empty()
        : Optional.of(Path.of(s));
  }

  /** The token file: as given, else systemd's credential, else {@link ApiToken#DEFAULT_FILE}. */
  static Optional<Path> tokenFile(@Nullable String given, Map<String, String> env) {
    if (given != null) {
      return path(given);
    }
    String creds = env.get("CREDENTIALS_DIRECTORY");
    if (creds != null && !creds.isBlank()) {
      return Optional.of(Path.of(creds, "api.token"));
    }
    return Optional.of(ApiToken.DEFAULT_FILE);
  }
}
