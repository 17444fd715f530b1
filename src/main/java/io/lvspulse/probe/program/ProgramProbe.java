package io.lvspulse.probe.program;

import io.lvspulse.config.Escapes;
import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.net.Addresses;
import io.lvspulse.probe.ExpectMatcher;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.LocalErrors;
import io.lvspulse.probe.Probe;
import io.lvspulse.probe.ProbeResult;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Piranha's {@code send_program} check (nanny's {@code external_check}), run through {@link
 * ExecRunner}: no shell, a watchdog at the probe timeout that kills the whole process tree, and its
 * own process group ({@code setsid}) that is killed when the program ends, whatever its result:
 * children left holding its output and double-forked daemons do not outlive the probe.
 *
 * <p>Result:
 *
 * <table>
 *   <caption>ProgramProbe outcomes</caption>
 *   <tr><th>program</th><th>nanny 0.8.6</th><th>lvs-pulse</th></tr>
 *   <tr><td>exit 0, output (one trailing newline removed) equals {@code expect}</td><td>up</td>
 *       <td>up</td></tr>
 *   <tr><td>exit 0, output differs</td><td>down</td><td>down, UNEXPECTED_REPLY</td></tr>
 *   <tr><td>exit &ne; 0, or killed by a signal</td><td><b>up</b> (anchor bug)</td>
 *       <td>down, PROGRAM_FAILED</td></tr>
 *   <tr><td>still running at the timeout</td><td><b>up</b> (anchor bug)</td>
 *       <td>down, TIMEOUT (process tree killed)</td></tr>
 *   <tr><td>cannot be started</td><td><b>up</b></td><td>down, PROGRAM_FAILED</td></tr>
 *   <tr><td>no {@code expect}, exit 0</td><td>down</td><td>up (the exit status is the check)</td></tr>
 *   <tr><td>no {@code expect}, exit &ne; 0</td><td>down</td><td>down, PROGRAM_FAILED</td></tr>
 * </table>
 *
 * <p>With {@code use_regex = 1} the output is matched with a regular expression found anywhere (an
 * lvs-pulse extension: nanny ignores {@code use_regex} here and always compares exactly).
 *
 * <p>The result's message is the program's first non-blank stdout line (stripped, at most {@value
 * #MESSAGE_CHARS} characters), or a description of the failure.
 */
public final class ProgramProbe implements Probe {
  /** stdout kept from the program (nanny: one read of at most 4095 bytes). */
  public static final int MAX_OUTPUT_BYTES = 64 * 1024;

  /** Longest message taken from the program's output. */
  public static final int MESSAGE_CHARS = 200;

  /**
   * Extra time after the timeout before the future is completed regardless (the runner waits up to
   * 2 s for output pipes held open by an escaped grandchild).
   */
  static final Duration GRACE = Duration.ofSeconds(3);

  private final ExecRunner runner;
  private final List<String> command;
  private final Optional<ExpectMatcher> expect;
  private final Duration timeout;

  /**
   * @param command the argument vector (element 0 is the program, searched on PATH)
   * @param expect how stdout is judged; empty: exit status 0 is success
   * @param timeout watchdog timeout (the whole process tree is killed at it)
   */
  public ProgramProbe(
      ExecRunner runner, List<String> command, Optional<ExpectMatcher> expect, Duration timeout) {
    this.runner = Objects.requireNonNull(runner, "runner");
    this.command = List.copyOf(command);
    if (this.command.isEmpty()) {
      throw new IllegalArgumentException("send_program is empty");
    }
    this.expect = Objects.requireNonNull(expect, "expect");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.timeout = timeout;
  }

  /**
   * The probe for {@code server} under {@code spec}: {@code send_program} split by {@link
   * #commandLine}, {@code expect} escape-translated as nanny's {@code convert_str}, exact or (with
   * {@code use_regex}) regex, timeout {@link ProbeSpec#timeout()}.
   *
   * @throws IllegalArgumentException when there is no {@code send_program}, it is blank, or {@code
   *     expect} is not a valid regular expression with {@code use_regex = 1}
   */
  public static ProgramProbe forSpec(ExecRunner runner, ProbeSpec spec, RealServer server) {
    String program =
        spec.sendProgram().orElseThrow(() -> new IllegalArgumentException("no send_program"));
    Optional<ExpectMatcher> expect =
        spec.expect().map(Escapes::translate).map(e -> ExpectMatcher.forOutput(e, spec.useRegex()));
    return new ProgramProbe(
        runner, commandLine(program, server.address(), server.port()), expect, spec.timeout());
  }

  /**
   * nanny's argument vector: {@code sendProgram} split on single spaces, empty tokens dropped (as
   * {@code strtok} drops them, so two spaces in a row are one separator); a token that is exactly
   * {@code %h} becomes the real server's address, exactly {@code %p} its port. Embedded forms such
   * as {@code host=%h} stay as written. No quoting, no globbing, no shell. Tabs are not separators.
   */
  public static List<String> commandLine(String sendProgram, InetAddress host, int port) {
    List<String> argv = new ArrayList<>();
    for (String token : sendProgram.split(" ")) {
      if (token.isEmpty()) {
        continue;
      }
      argv.add(
          switch (token) {
            case "%h" -> Addresses.canonical(host); // check_tftp wants the bare literal
            case "%p" -> Integer.toString(port);
            default -> token;
          });
    }
    return List.copyOf(argv);
  }

  /** The argument vector run each time. */
  public List<String> command() {
    return command;
  }

  /** How stdout is judged. */
  public Optional<ExpectMatcher> expect() {
    return expect;
  }

  /** The watchdog timeout. */
  public Duration timeout() {
    return timeout;
  }

  /** {@code exec /usr/lib/nagios/plugins/check_dns -H example.org -s 10.3.0.1}. */
  public String describe() {
    return "exec " + String.join(" ", command);
  }

  @Override
  public CompletableFuture<ProbeResult> start() {
    long t0 = System.nanoTime();
    ExecRequest request =
        ExecRequest.of(timeout, command).withMaxOutputBytes(MAX_OUTPUT_BYTES).inOwnProcessGroup();
    CompletableFuture<ProbeResult> result;
    try {
      result =
          runner
              .start(request)
              .thenApply(r -> classify(r, expect))
              .exceptionally(
                  e ->
                      ProbeResult.failure(
                          FailureCause.PROGRAM_FAILED,
                          e,
                          "could not run " + command.get(0) + ": " + e,
                          Duration.ofNanos(System.nanoTime() - t0)));
    } catch (RuntimeException e) {
      result =
          CompletableFuture.completedFuture(
              ProbeResult.failure(
                  FailureCause.PROGRAM_FAILED,
                  "could not run " + command.get(0) + ": " + e,
                  Duration.ZERO));
    }
    // belt and braces: the contract says the future completes shortly after the timeout
    return result.completeOnTimeout(
        ProbeResult.failure(
            FailureCause.TIMEOUT,
            "no result from "
                + command.get(0)
                + " within "
                + timeout.plus(GRACE).toMillis()
                + " ms",
            timeout.plus(GRACE)),
        timeout.plus(GRACE).toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Turns what the program did into a probe result (see the class comment). */
  static ProbeResult classify(ExecResult r, Optional<ExpectMatcher> expect) {
    Duration elapsed = r.duration().isNegative() ? Duration.ZERO : r.duration();
    String program = r.command().isEmpty() ? "program" : r.command().get(0);
    if (r.startFailure() != null) {
      if (LocalErrors.isLocalMessage(r.startFailure())) {
        // fork/exec failed for lack of descriptors, memory or processes: this host's fault
        return ProbeResult.localError(program + ": " + r.describe(), elapsed);
      }
      return ProbeResult.failure(
          FailureCause.PROGRAM_FAILED, program + ": " + r.describe(), elapsed);
    }
    if (r.timedOut()) {
      return ProbeResult.failure(FailureCause.TIMEOUT, program + ": " + r.describe(), elapsed);
    }
    String firstLine = firstLine(r.stdout());
    if (r.exitCode() != 0) {
      String how =
          r.killedBySignal() ? "killed by signal " + (r.exitCode() - 128) : "exit " + r.exitCode();
      String detail = !firstLine.isEmpty() ? firstLine : bounded(r.stderrFirstLine());
      return ProbeResult.failure(
          FailureCause.PROGRAM_FAILED,
          program + ": " + how + (detail.isEmpty() ? "" : ": " + detail),
          elapsed);
    }
    if (expect.isEmpty()) {
      return ProbeResult.ok(firstLine.isEmpty() ? program + ": exit 0" : firstLine, elapsed);
    }
    String output = ExpectMatcher.stripOneTrailingNewline(r.stdout());
    ExpectMatcher m = expect.get();
    if (r.outputTruncated() && m.mode() == ExpectMatcher.Mode.EXACT) {
      return ProbeResult.failure(
          FailureCause.UNEXPECTED_REPLY,
          program + ": output longer than " + MAX_OUTPUT_BYTES + " bytes cannot equal expect",
          elapsed);
    }
    if (m.matches(output)) {
      return ProbeResult.ok(firstLine.isEmpty() ? program + ": exit 0" : firstLine, elapsed);
    }
    return ProbeResult.failure(
        FailureCause.UNEXPECTED_REPLY,
        program
            + ": output \""
            + ExpectMatcher.printable(output, 120)
            + "\" does not match "
            + m.describe(),
        elapsed);
  }

  /** The first non-blank line, stripped and bounded. */
  static String firstLine(String text) {
    for (String line : text.split("\n", -1)) {
      if (!line.isBlank()) {
        return bounded(line.strip());
      }
    }
    return "";
  }

  private static String bounded(String s) {
    return ExpectMatcher.printable(s, MESSAGE_CHARS);
  }

  @Override
  public String toString() {
    return "ProgramProbe[" + describe() + "]";
  }
}
