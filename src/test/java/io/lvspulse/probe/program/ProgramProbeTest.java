package io.lvspulse.probe.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.exec.ExecRunner;
import io.lvspulse.probe.ExpectMatcher;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ProgramProbeTest {
  private static final ExecRunner RUNNER = new ExecRunner();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static ProbeResult run(ProgramProbe p) throws Exception {
    return p.start().get(p.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
  }

  private static ProgramProbe probe(Optional<String> expect, boolean regex, String... argv) {
    return new ProgramProbe(
        RUNNER, List.of(argv), expect.map(e -> ExpectMatcher.forOutput(e, regex)), TIMEOUT);
  }

  private static ProbeResult runService(
      String sendProgram, Optional<String> expect, boolean regex, int port) throws Exception {
    VirtualService.Builder b = VirtualService.builder("v");
    b.sendProgram = Optional.of(sendProgram);
    b.expect = expect;
    b.useRegex = regex;
    b.timeout = TIMEOUT;
    RealServer rs = new RealServer("r", InetAddress.getByName("127.0.0.1"), true, 1, port);
    return run(ProgramProbe.forSpec(RUNNER, b.build().probe(), rs));
  }

  @Test
  void output_equal_to_expect_after_its_trailing_newline_is_a_success() throws Exception {
    ProbeResult r =
        runService(
            "echo OK - answer from server", Optional.of("OK - answer from server"), false, 69);
    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(r.message()).isEqualTo("OK - answer from server");
  }

  @Test
  void only_one_trailing_newline_is_cut_and_output_without_one_keeps_its_last_character()
      throws Exception {
    // printf without a newline: nanny would cut the "c"; we compare "abc"
    assertThat(runService("printf abc", Optional.of("abc"), false, 1).success()).isTrue();
    // two newlines: one is cut, "abc\n" is not "abc"
    ProbeResult two = runService("printf abc\\n\\n", Optional.of("abc"), false, 1);
    assertThat(two.cause()).contains(FailureCause.UNEXPECTED_REPLY);
    // ... but expect can say so with nanny's escapes
    assertThat(runService("printf abc\\n\\n", Optional.of("abc\\n"), false, 1).success()).isTrue();
  }

  @Test
  void different_output_is_an_unexpected_reply() throws Exception {
    ProbeResult r =
        runService(
            "echo OK - answer from elsewhere", Optional.of("OK - answer from server"), false, 69);
    assertThat(r.cause()).contains(FailureCause.UNEXPECTED_REPLY);
    assertThat(r.message()).contains("OK - answer from elsewhere");
  }

  @Test
  void exact_percent_tokens_are_replaced_and_embedded_ones_are_not() throws Exception {
    InetAddress h = InetAddress.getByName("10.3.0.7");
    assertThat(ProgramProbe.commandLine("/bin/check -H %h -p %p host=%h %hx %h", h, 8053))
        .containsExactly(
            "/bin/check", "-H", "10.3.0.7", "-p", "8053", "host=%h", "%hx", "10.3.0.7");
    ProbeResult r =
        runService("echo %h %p host=%h", Optional.of("127.0.0.1 8080 host=%h"), false, 8080);
    assertThat(r.success()).as(r.message()).isTrue();
  }

  @Test
  void repeated_spaces_are_one_separator_as_with_strtok_and_tabs_are_not_separators()
      throws Exception {
    InetAddress h = InetAddress.getByName("10.0.0.1");
    assertThat(ProgramProbe.commandLine("  prog   a  %h ", h, 1))
        .containsExactly("prog", "a", "10.0.0.1");
    assertThat(ProgramProbe.commandLine("prog\ta", h, 1)).containsExactly("prog\ta");
  }

  /**
   * Regression for the Piranha anchor bug (docs/reference/piranha-behaviour.md §0.2, §2.4): nanny
   * 0.8.6's {@code getExecOutput} returns NULL when the program exits non-zero, and {@code
   * external_check} then counts NULL with a non-empty {@code expect} as success ("didn't get
   * anything back"). Scenario: {@code send_program = "/usr/local/bin/check_tftp --connect %h"},
   * {@code expect = "OK - answer from server"}, the TFTP server is down, check_tftp prints {@code
   * CRITICAL - ...} and exits 2 — Piranha keeps the dead server in the pool. Here even output that
   * equals {@code expect} does not save a non-zero exit.
   */
  @Test
  void a_non_zero_exit_is_a_failure_even_when_the_output_equals_expect() throws Exception {
    ProbeResult critical =
        run(
            probe(
                Optional.of("OK - answer from server"),
                false,
                "sh",
                "-c",
                "echo 'CRITICAL - no answer from server'; exit 2"));
    assertThat(critical.success()).isFalse();
    assertThat(critical.cause()).contains(FailureCause.PROGRAM_FAILED);
    assertThat(critical.message()).contains("exit 2").contains("CRITICAL - no answer from server");

    ProbeResult liar =
        run(
            probe(
                Optional.of("OK - answer from server"),
                false,
                "sh",
                "-c",
                "echo 'OK - answer from server'; exit 1"));
    assertThat(liar.cause()).contains(FailureCause.PROGRAM_FAILED);
  }

  @Test
  void a_program_killed_by_a_signal_is_a_failure() throws Exception {
    ProbeResult r = run(probe(Optional.of("OK"), false, "sh", "-c", "kill -9 $$"));
    assertThat(r.cause()).contains(FailureCause.PROGRAM_FAILED);
    assertThat(r.message()).contains("signal 9");
  }

  @Test
  void a_program_that_cannot_be_started_is_a_failure() throws Exception {
    ProbeResult r = run(probe(Optional.of("OK"), false, "/nonexistent/lvs-pulse-check"));
    assertThat(r.cause()).contains(FailureCause.PROGRAM_FAILED);
    assertThat(r.message()).contains("could not start");
  }

  /**
   * A hung check ({@code sh -c "sleep N; echo done"}) with a 500 ms timeout: the result is a
   * TIMEOUT within about a second (nanny: success), and the whole tree is killed: no {@code sleep}
   * survives (Commons Exec's own watchdog would leave it running and wait for it).
   */
  @Test
  void a_hung_program_times_out_quickly_and_no_child_survives() throws Exception {
    String marker = "5." + ThreadLocalRandom.current().nextInt(100, 1000);
    ProgramProbe p =
        new ProgramProbe(
            RUNNER,
            List.of("sh", "-c", "sleep " + marker + "; echo done"),
            Optional.of(ExpectMatcher.exact("done")),
            Duration.ofMillis(500));
    long t0 = System.nanoTime();
    var future = p.start();
    AtomicBoolean seen = new AtomicBoolean();
    await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              if (sleepers(marker) > 0) {
                seen.set(true);
              }
              return seen.get() || future.isDone();
            });
    boolean sawSleep = seen.get();
    ProbeResult r = future.get(5, TimeUnit.SECONDS);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(sawSleep).as("the sleep child was running during the probe").isTrue();
    assertThat(r.cause()).contains(FailureCause.TIMEOUT);
    assertThat(r.timedOut()).isTrue();
    assertThat(ms).isLessThan(1500L);
    // the kill is SIGKILL and synchronous, but give the kernel a moment to reap
    await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20))
        .atMost(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(sleepers(marker)).as("sleep processes left").isZero());
  }

  private static long sleepers(String marker) {
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(
            h ->
                h.info()
                    .command()
                    .map(c -> c.endsWith("/sleep") || c.equals("sleep"))
                    .orElse(false))
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
        .count();
  }

  @Test
  void with_use_regex_the_output_is_matched_by_a_regex_as_an_extension() throws Exception {
    assertThat(
            runService("echo OK - 3 answers", Optional.of("^OK - [0-9]+ answers$"), true, 1)
                .success())
        .isTrue();
    assertThat(
            runService("echo OK - 3 answers", Optional.of("^OK - [0-9]+ answers$"), false, 1)
                .cause())
        .as("without use_regex the same expect is compared exactly")
        .contains(FailureCause.UNEXPECTED_REPLY);
  }

  @Test
  void without_expect_exit_zero_is_up_and_anything_else_is_down() throws Exception {
    ProbeResult up = run(probe(Optional.empty(), false, "sh", "-c", "echo fine"));
    assertThat(up.success()).isTrue();
    assertThat(up.message()).isEqualTo("fine");
    assertThat(run(probe(Optional.empty(), false, "false")).cause())
        .contains(FailureCause.PROGRAM_FAILED);
  }

  @Test
  void the_message_is_the_first_non_blank_stdout_line_bounded() throws Exception {
    ProbeResult r =
        run(probe(Optional.empty(), false, "sh", "-c", "echo; echo '  first  '; echo second"));
    assertThat(r.message()).isEqualTo("first");
    String longLine = "y".repeat(1000);
    ProbeResult l = run(probe(Optional.empty(), false, "echo", longLine));
    assertThat(l.message()).hasSizeLessThanOrEqualTo(ProgramProbe.MESSAGE_CHARS + 3);
  }

  @Test
  void describe_shows_the_command_after_substitution() throws Exception {
    VirtualService.Builder b = VirtualService.builder("dns");
    b.sendProgram = Optional.of("/usr/lib/nagios/plugins/check_dns -H example.org -s %h");
    RealServer rs = new RealServer("r", InetAddress.getByName("10.3.0.1"), true, 1, 53);
    assertThat(ProgramProbe.forSpec(RUNNER, b.build().probe(), rs).describe())
        .isEqualTo("exec /usr/lib/nagios/plugins/check_dns -H example.org -s 10.3.0.1");
  }

  @Test
  void a_blank_send_program_is_refused() {
    assertThatThrownBy(() -> new ProgramProbe(RUNNER, List.of(), Optional.empty(), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void percent_h_becomes_the_bare_ipv6_literal_in_rfc_5952_form_as_check_tftp_expects()
      throws Exception {
    assertThat(
            ProgramProbe.commandLine(
                "/usr/lib/nagios/plugins/check_tftp --connect %h",
                java.net.InetAddress.getByName("FD00:0:0:0:0:0:0:2"), 69))
        .containsExactly("/usr/lib/nagios/plugins/check_tftp", "--connect", "fd00::2");
  }

  /**
   * Issue 9 item 3: a fork that fails for lack of descriptors, memory or processes is a fault of
   * this director, not of the server.
   */
  @Test
  void a_program_that_cannot_be_forked_for_lack_of_resources_is_a_local_error() {
    ProbeResult r =
        ProgramProbe.classify(
            new io.lvspulse.exec.ExecResult(
                List.of("/bin/check"),
                -1,
                false,
                "Cannot run program \"/bin/check\": error=24, Too many open files",
                "",
                "",
                false,
                Duration.ofMillis(1),
                TIMEOUT),
            Optional.empty());
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.message()).contains("Too many open files");
  }

  /** Processes whose command line contains {@code marker} (a unique sleep time). */
  private static List<ProcessHandle> running(String marker) {
    return ProcessHandle.allProcesses()
        .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .toList();
  }

  private static String marker() {
    return "7" + (System.nanoTime() % 1_000_000) + ".25";
  }

  private static void killAll(String marker) {
    running(marker).forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * Issue 9 item 7: a program that prints OK and exits 0 but leaves a child holding its stdout
   * escaped the tree kill; the child lived on and a pumper thread waited on the pipe for it.
   */
  @Test
  void a_child_left_holding_the_pipe_is_killed_when_the_program_ends() throws Exception {
    String m = marker();
    try {
      ProbeResult r = run(probe(Optional.of("OK"), false, "sh", "-c", "sleep " + m + " & echo OK"));
      assertThat(r.success()).isTrue();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(2))
          .until(() -> running(m).isEmpty());
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(2))
          .until(
              () ->
                  Thread.getAllStackTraces().keySet().stream()
                      .noneMatch(t -> t.getName().startsWith("CommonsExecStreamPumper")));
    } finally {
      killAll(m);
    }
  }

  /** Issue 9 item 7: a double fork (a daemon with its own stdio) left an orphan every probe. */
  @Test
  void a_double_forked_process_is_killed_when_the_program_ends() throws Exception {
    String m = marker();
    try {
      ProbeResult r =
          run(
              probe(
                  Optional.empty(),
                  false,
                  "sh",
                  "-c",
                  "( sleep " + m + " </dev/null >/dev/null 2>&1 & ) ; echo fine"));
      assertThat(r.success()).isTrue();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(2))
          .until(() -> running(m).isEmpty());
    } finally {
      killAll(m);
    }
  }

  /** Issue 9 item 7: programs in flight survived a daemon stop. */
  @Test
  void closing_the_program_kind_kills_the_programs_in_flight() throws Exception {
    String m = marker();
    ExecRunner own = new ExecRunner();
    ProgramKind kind = new ProgramKind(own);
    try {
      ProgramProbe p =
          new ProgramProbe(
              own,
              List.of("sh", "-c", "sleep " + m + "; echo late"),
              Optional.empty(),
              Duration.ofSeconds(60));
      var f = p.start();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !running(m).isEmpty());
      kind.close();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(2))
          .until(() -> running(m).isEmpty());
      assertThat(f.get(5, TimeUnit.SECONDS).success()).isFalse();
    } finally {
      killAll(m);
    }
  }
}
