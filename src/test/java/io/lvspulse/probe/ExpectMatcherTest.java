package io.lvspulse.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lvspulse.probe.ExpectMatcher.Mode;
import io.lvspulse.probe.ExpectMatcher.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExpectMatcherTest {
  private static Verdict judge(ExpectMatcher m, String reply, boolean ended) {
    byte[] b = reply.getBytes(StandardCharsets.UTF_8);
    return m.judge(b, b.length, ended);
  }

  @Test
  void a_prefix_matches_when_the_first_bytes_equal_expect() {
    ExpectMatcher m = ExpectMatcher.prefix("HTTP");
    assertThat(judge(m, "HTTP/1.0 200 OK", false)).isEqualTo(Verdict.MATCH);
    assertThat(judge(m, "HTTP", true)).isEqualTo(Verdict.MATCH);
    assertThat(judge(m, "HTTX/1.0", false)).isEqualTo(Verdict.MISMATCH);
    assertThat(judge(m, " HTTP", false)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void a_short_prefix_waits_for_more_until_the_reply_ends_then_fails() {
    ExpectMatcher m = ExpectMatcher.prefix("HTTP");
    assertThat(judge(m, "HT", false)).isEqualTo(Verdict.NEED_MORE);
    assertThat(judge(m, "HT", true)).isEqualTo(Verdict.MISMATCH);
    assertThat(judge(m, "HX", false))
        .as("a differing byte decides at once")
        .isEqualTo(Verdict.MISMATCH);
    assertThat(judge(m, "", false)).isEqualTo(Verdict.NEED_MORE);
  }

  @Test
  void star_means_any_reply_of_at_least_one_byte_with_or_without_regex() {
    for (boolean regex : new boolean[] {false, true}) {
      ExpectMatcher m = ExpectMatcher.forSocket("*", regex);
      assertThat(m.mode()).isEqualTo(Mode.ANY);
      assertThat(judge(m, "x", false)).isEqualTo(Verdict.MATCH);
      assertThat(judge(m, "", false)).isEqualTo(Verdict.NEED_MORE);
      assertThat(judge(m, "", true)).isEqualTo(Verdict.MISMATCH);
    }
  }

  @Test
  void a_regex_is_found_anywhere_and_anchors_work() {
    ExpectMatcher m = ExpectMatcher.forSocket("200 (OK|Fine)", true);
    assertThat(m.mode()).isEqualTo(Mode.REGEX);
    assertThat(judge(m, "HTTP/1.1 200 OK\r\n", false)).isEqualTo(Verdict.MATCH);
    assertThat(judge(m, "HTTP/1.1 500 Err\r\n", false)).isEqualTo(Verdict.NEED_MORE);
    assertThat(judge(m, "HTTP/1.1 500 Err\r\n", true)).isEqualTo(Verdict.MISMATCH);
    ExpectMatcher anchored = ExpectMatcher.regex("^220 ");
    assertThat(judge(anchored, "220 smtp", true)).isEqualTo(Verdict.MATCH);
    assertThat(judge(anchored, "x220 smtp", true)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void posix_character_classes_work_and_dot_matches_newline_as_in_posix() {
    assertThat(ExpectMatcher.regex("^[[:digit:]]{3} [[:alpha:]]+$").matches("250 ok")).isTrue();
    assertThat(ExpectMatcher.regex("^[[:digit:]]{3}").matches("abc")).isFalse();
    assertThat(ExpectMatcher.regex("a.b").matches("a\nb")).isTrue();
  }

  /**
   * Issue 9 item 8: {@code (.*a){12}$} against 300 x 'a' + '!' pinned the socket engine's selector
   * thread in java.util.regex backtracking: every TCP/UDP probe stalled and SIGTERM was ignored.
   * RE2/J decides it in time linear in the reply.
   */
  @Test
  void a_pattern_that_backtracks_exponentially_in_java_regex_is_decided_at_once() {
    ExpectMatcher m = ExpectMatcher.forSocket("(.*a){12}$", true);
    byte[] reply = ("a".repeat(300) + "!").getBytes(StandardCharsets.US_ASCII);
    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () -> {
          assertThat(m.judge(reply, reply.length, true)).isEqualTo(Verdict.MISMATCH);
          byte[] full = ("a".repeat(ExpectMatcher.MAX_REPLY_BYTES - 1) + "!").getBytes();
          assertThat(m.judge(full, full.length, false)).isEqualTo(Verdict.MISMATCH);
          assertThat(m.matches("a".repeat(300))).isTrue();
        });
  }

  /** A pattern whose compiled program would take gigabytes is refused, not compiled. */
  @Test
  void a_pattern_too_large_to_compile_is_refused() {
    assertThatThrownBy(() -> ExpectMatcher.regex("(((a{100}){100}){100}){100}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
    assertThat(ExpectMatcher.regex("a{100}b{200}[[:digit:]]{1000}").matches("x")).isFalse();
  }

  /** POSIX ERE, as nanny's regexec: $ is the end, and back-references are not ERE. */
  @Test
  void dollar_is_the_end_of_the_reply_and_back_references_are_refused() {
    assertThat(ExpectMatcher.regex("ok$").matches("250 ok")).isTrue();
    assertThat(ExpectMatcher.regex("ok$").matches("250 ok\n")).isFalse();
    assertThatThrownBy(() -> ExpectMatcher.regex("(a)\\1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void an_invalid_regex_is_rejected_with_a_clear_message() {
    assertThatThrownBy(() -> ExpectMatcher.regex("(unclosed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid regular expression");
  }

  @Test
  void a_regex_reply_is_decided_at_the_read_limit() {
    ExpectMatcher m = ExpectMatcher.regex("never");
    byte[] big = new byte[ExpectMatcher.MAX_REPLY_BYTES];
    assertThat(m.judge(big, big.length, false)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void exact_output_must_be_the_whole_text() {
    ExpectMatcher m = ExpectMatcher.forOutput("OK - answer from server", false);
    assertThat(m.mode()).isEqualTo(Mode.EXACT);
    assertThat(m.matches("OK - answer from server")).isTrue();
    assertThat(m.matches("OK - answer from server, really")).isFalse();
    assertThat(m.matches("OK - answer")).isFalse();
    assertThat(ExpectMatcher.forOutput("*", false).matches("anything"))
        .as("no wildcard for programs")
        .isFalse();
  }

  @Test
  void only_one_trailing_newline_is_removed() {
    assertThat(ExpectMatcher.stripOneTrailingNewline("OK\n")).isEqualTo("OK");
    assertThat(ExpectMatcher.stripOneTrailingNewline("OK\n\n")).isEqualTo("OK\n");
    assertThat(ExpectMatcher.stripOneTrailingNewline("OK"))
        .as("nanny would cut the K")
        .isEqualTo("OK");
    assertThat(ExpectMatcher.stripOneTrailingNewline("")).isEmpty();
  }

  @Test
  void non_ascii_expect_is_compared_as_utf8_bytes() {
    ExpectMatcher m = ExpectMatcher.prefix("é");
    assertThat(judge(m, "été", true)).isEqualTo(Verdict.MATCH);
    byte[] half = {(byte) 0xC3};
    assertThat(m.judge(half, 1, false)).isEqualTo(Verdict.NEED_MORE);
  }

  @Test
  void printable_escapes_control_characters_and_bounds_length() {
    assertThat(ExpectMatcher.printable("a\r\n\u0001", 80)).isEqualTo("a\\r\\n\\x01");
    assertThat(ExpectMatcher.printable("x".repeat(100), 10)).isEqualTo("xxxxxxxxxx...");
  }
}
