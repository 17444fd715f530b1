package io.lvspulse.exec;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What happened to one external command. Exactly one of these holds: it could not be started
 * ({@link #startFailure()} set), the watchdog killed it ({@link #timedOut()}), or it ended with
 * {@link #exitCode()} (Java reports death by signal N as exit 128+N).
 *
 * @param command the argument list that was run
 * @param exitCode the exit status; -1 when it never started or was killed by the watchdog
 * @param timedOut the watchdog killed the process tree
 * @param startFailure why it could not be started (missing binary, permission), else {@code null}
 * @param stdout captured stdout (UTF-8, at most the request's bound)
 * @param stderr captured stderr (UTF-8, at most the request's bound)
 * @param outputTruncated some stdout or stderr was dropped because of the bound
 * @param duration wall time from start to the end of output
 * @param timeout the watchdog timeout the command ran under
 */
public record ExecResult(
    List<String> command,
    int exitCode,
    boolean timedOut,
    @Nullable String startFailure,
    String stdout,
    String stderr,
    boolean outputTruncated,
    Duration duration,
    Duration timeout) {

  public ExecResult {
    command = List.copyOf(command);
  }

  /** Started, not killed, exit status 0. */
  public boolean succeeded() {
    return !timedOut && startFailure == null && exitCode == 0;
  }

  /**
   * The process ended on its own with a status above 128 and below 160 (how Java shows a signal).
   */
  public boolean killedBySignal() {
    return !timedOut && startFailure == null && exitCode > 128 && exitCode < 160;
  }

  /** The first non-blank line of stderr, or "" if there is none. */
  public String stderrFirstLine() {
    return firstLine(stderr);
  }

  /**
   * One line for logs and results: {@code "ok"}, {@code "timed out after 1s"}, {@code "exit 2:
   * Can't initialize ipvs: ..."}, {@code "killed by signal 9"}, {@code "could not start: ..."}. The
   * program's stderr is escaped and cut ({@link io.lvspulse.logging.LogSafe}).
   */
  public String describe() {
    if (startFailure != null) {
      return "could not start: " + startFailure;
    }
    if (timedOut) {
      return "timed out after " + human(timeout) + " (process tree killed)";
    }
    if (killedBySignal()) {
      return "killed by signal " + (exitCode - 128);
    }
    String err = io.lvspulse.logging.LogSafe.escape(stderrFirstLine());
    if (exitCode == 0) {
      return err.isEmpty() ? "ok" : "exit 0, stderr: " + err;
    }
    return "exit " + exitCode + (err.isEmpty() ? "" : ": " + err);
  }

  static String firstLine(String text) {
    for (String line : text.split("\n", -1)) {
      if (!line.isBlank()) {
        return line.strip();
      }
    }
    return "";
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
  }
}
