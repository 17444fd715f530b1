package io.lvspulse.exec;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One external command to run: an argument list (never a shell), optional bytes for its stdin, a
 * hard timeout (the watchdog kills the whole process tree), extra environment variables and a bound
 * on the output kept from each of stdout and stderr.
 *
 * @param command program and arguments; element 0 is the program
 * @param stdin bytes written to the process's stdin, then closed; {@code null} = stdin is empty
 * @param timeout the watchdog timeout, positive
 * @param environment variables added to (or replacing in) the JVM's environment
 * @param maxOutputBytes bytes kept from stdout and from stderr each; the rest is read and dropped
 * @param ownProcessGroup run the command in its own session and process group ({@code setsid}), and
 *     kill the whole group when the command ends, whatever its result: for untrusted programs
 *     (health checks) that may leave children or daemons behind
 */
public record ExecRequest(
    List<String> command,
    byte @Nullable [] stdin,
    Duration timeout,
    Map<String, String> environment,
    int maxOutputBytes,
    boolean ownProcessGroup) {

  /** Default bound on captured stdout and on captured stderr: 1 MiB each. */
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;

  public ExecRequest {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    stdin = stdin == null ? null : stdin.clone();
    environment = Map.copyOf(environment);
    if (maxOutputBytes < 0) {
      throw new IllegalArgumentException("maxOutputBytes < 0");
    }
  }

  /** A request that shares lvs-pulse's process group. */
  public ExecRequest(
      List<String> command,
      byte @Nullable [] stdin,
      Duration timeout,
      Map<String, String> environment,
      int maxOutputBytes) {
    this(command, stdin, timeout, environment, maxOutputBytes, false);
  }

  /** A request with no stdin, no extra environment and the default output bound. */
  public static ExecRequest of(Duration timeout, List<String> command) {
    return new ExecRequest(command, null, timeout, Map.of(), DEFAULT_MAX_OUTPUT_BYTES);
  }

  /** A request with no stdin, no extra environment and the default output bound. */
  public static ExecRequest of(Duration timeout, String... command) {
    return of(timeout, Arrays.asList(command));
  }

  /** This request with {@code bytes} on stdin. */
  public ExecRequest withStdin(byte[] bytes) {
    return new ExecRequest(command, bytes, timeout, environment, maxOutputBytes, ownProcessGroup);
  }

  /**
   * This request in its own process group, killed whole when it ends ({@link #ownProcessGroup}).
   */
  public ExecRequest inOwnProcessGroup() {
    return new ExecRequest(command, stdin, timeout, environment, maxOutputBytes, true);
  }

  /** This request with one more environment variable. */
  public ExecRequest withEnv(String name, String value) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(name, value);
    return new ExecRequest(command, stdin, timeout, env, maxOutputBytes, ownProcessGroup);
  }

  /** This request with another bound on captured output. */
  public ExecRequest withMaxOutputBytes(int bytes) {
    return new ExecRequest(command, stdin, timeout, environment, bytes, ownProcessGroup);
  }

  /** The command as one line for logs (arguments are not quoted: for humans, not for a shell). */
  public String display() {
    return String.join(" ", command);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ExecRequest r
        && command.equals(r.command)
        && Arrays.equals(stdin, r.stdin)
        && timeout.equals(r.timeout)
        && environment.equals(r.environment)
        && maxOutputBytes == r.maxOutputBytes
        && ownProcessGroup == r.ownProcessGroup;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        command, Arrays.hashCode(stdin), timeout, environment, maxOutputBytes, ownProcessGroup);
  }

  @Override
  public String toString() {
    return "ExecRequest["
        + display()
        + ", stdin="
        + (stdin == null ? "none" : stdin.length + " B")
        + ", timeout="
        + timeout
        + ", env="
        + environment.keySet()
        + "]";
  }
}
