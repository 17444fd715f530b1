package io.lvspulse.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end for a test: an argument list (no shell), a hard timeout (the process is
 * killed after it), an environment that can both add and remove variables, stdout and stderr kept
 * apart.
 */
public final class Commands {
  private Commands() {}

  /** What a finished command did. */
  public record Result(List<String> command, int code, String stdout, String stderr) {
    /** Everything it printed, for assertion messages. */
    public String describe() {
      return String.join(" ", command)
          + " exited "
          + code
          + "\n--- stdout:\n"
          + stdout
          + "--- stderr:\n"
          + stderr;
    }
  }

  /** Runs {@code command} with the test's environment. */
  public static Result run(Duration timeout, String... command)
      throws IOException, InterruptedException {
    return run(timeout, Map.of(), Set.of(), Arrays.asList(command));
  }

  /**
   * Runs {@code command} with {@code set} added to and {@code unset} removed from the environment.
   */
  public static Result run(
      Duration timeout, Map<String, String> set, Set<String> unset, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("lvs-pulse-cmd-", ".out");
    Path err = Files.createTempFile("lvs-pulse-cmd-", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(new ArrayList<>(command))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      unset.forEach(pb.environment()::remove);
      pb.environment().putAll(set);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + "\n--- stdout:\n"
                + Files.readString(out)
                + "--- stderr:\n"
                + Files.readString(err));
      }
      return new Result(
          List.copyOf(command),
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** True when this JVM runs as root (the owner of /proc/self is the process's user). */
  public static boolean root() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
