package io.lvspulse.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.probe.ExpectMatcher.Mode;
import io.lvspulse.probe.ExpectMatcher.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExpectMatcherTest {
  private static Verdict judge(ExpectMatcher m, String reply, boolean ended) {
    byte[] b = reply.getBytes(StandardCharsets.UTF_8);
    return m.judge(b, b.length, ended);
  }

  @Test
  void aPrefixMatchesWhenTheFirstBytesEqualExpect() {
    ExpectMatcher m = ExpectMatcher.prefix("HTTP");
    assertThat(judge(m, "HTTP/1.0 200 OK", false)).isEqualTo(Verdict.MATCH);
    assertThat(judge(m, "HTTP", true)).isEqualTo(Verdict.MATCH);
    assertThat(judge(m, "HTTX/1.0", false)).isEqualTo(Verdict.MISMATCH);
    assertThat(judge(m, " HTTP", false)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void aShortPrefixWaitsForMoreUntilTheReplyEndsThenFails() {
    ExpectMatcher m = ExpectMatcher.prefix("HTTP");
    assertThat(judge(m, "HT", false)).isEqualTo(Verdict.NEED_MORE);
    assertThat(judge(m, "HT", true)).isEqualTo(Verdict.MISMATCH);
    assertThat(judge(m, "HX", false))
        .as("a differing byte decides at once")
        .isEqualTo(Verdict.MISMATCH);
    assertThat(judge(m, "", false)).isEqualTo(Verdict.NEED_MORE);
  }

  @Test
  void starMeansAnyReplyOfAtLeastOneByteWithOrWithoutRegex() {
    for (boolean regex : new boolean[] {false, true}) {
      ExpectMatcher m = ExpectMatcher.forSocket("*", regex);
      assertThat(m.mode()).isEqualTo(Mode.ANY);
      assertThat(judge(m, "x", false)).isEqualTo(Verdict.MATCH);
      assertThat(judge(m, "", false)).isEqualTo(Verdict.NEED_MORE);
      assertThat(judge(m, "", true)).isEqualTo(Verdict.MISMATCH);
    }
  }

  @Test
  void aRegexIsFoundAnywhereAndAnchorsWork() {
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
  void posixCharacterClassesAreTranslatedAndDotMatchesNewlineAsInPosix() {
    assertThat(ExpectMatcher.regex("^[[:digit:]]{3} [[:alpha:]]+$").matches("250 ok")).isTrue();
    assertThat(ExpectMatcher.regex("^[[:digit:]]{3}").matches("abc")).isFalse();
    assertThat(ExpectMatcher.regex("a.b").matches("a\nb")).isTrue();
  }

  @Test
  void anInvalidRegexIsRejectedWithAClearMessage() {
    assertThatThrownBy(() -> ExpectMatcher.regex("(unclosed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid regular expression");
  }

  @Test
  void aRegexReplyIsDecidedAtTheReadLimit() {
    ExpectMatcher m = ExpectMatcher.regex("never");
    byte[] big = new byte[ExpectMatcher.MAX_REPLY_BYTES];
    assertThat(m.judge(big, big.length, false)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void exactOutputMustBeTheWholeText() {
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
  void onlyOneTrailingNewlineIsRemoved() {
    assertThat(ExpectMatcher.stripOneTrailingNewline("OK\n")).isEqualTo("OK");
    assertThat(ExpectMatcher.stripOneTrailingNewline("OK\n\n")).isEqualTo("OK\n");
    assertThat(ExpectMatcher.stripOneTrailingNewline("OK"))
        .as("nanny would cut the K")
        .isEqualTo("OK");
    assertThat(ExpectMatcher.stripOneTrailingNewline("")).isEmpty();
  }

  @Test
  void nonAsciiExpectIsComparedAsUtf8Bytes() {
    ExpectMatcher m = ExpectMatcher.prefix("é");
    assertThat(judge(m, "été", true)).isEqualTo(Verdict.MATCH);
    byte[] half = {(byte) 0xC3};
    assertThat(m.judge(half, 1, false)).isEqualTo(Verdict.NEED_MORE);
  }

  @Test
  void printableEscapesControlCharactersAndBoundsLength() {
    assertThat(ExpectMatcher.printable("a\r\n\u0001", 80)).isEqualTo("a\\r\\n\\x01");
    assertThat(ExpectMatcher.printable("x".repeat(100), 10)).isEqualTo("xxxxxxxxxx...");
  }
}
