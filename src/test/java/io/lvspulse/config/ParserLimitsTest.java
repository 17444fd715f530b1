package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one parse may read and keep ({@link LvsConfigParser.Limits}), and what it says past them.
 */
class ParserLimitsTest {
  @TempDir Path dir;

  private static final LvsConfigParser.Limits SMALL =
      new LvsConfigParser.Limits(4096, 200, 100, 10, 5, 5);

  private static LvsConfigParser parser(LvsConfigParser.Limits l) {
    return TestParsers.parser().withLimits(l);
  }

  private static ConfigException reject(LvsConfigParser p, String text) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> p.parse("l.cf", text));
    assertThat(e).as("must be rejected").isNotNull();
    return e;
  }

  @Test
  void the_default_limits_follow_the_heap() {
    LvsConfigParser.Limits unit = LvsConfigParser.Limits.forHeap(63_373_312L); // -Xmx64m, SerialGC
    assertThat(unit.maxFileBytes()).isEqualTo(3L << 20);
    assertThat(unit.maxBlocks()).isEqualTo(10_300);
    assertThat(unit.maxLineChars()).isEqualTo(65_536);
    assertThat(unit.maxTokenChars()).isEqualTo(4_096);
    assertThat(unit.maxErrors()).isEqualTo(100);
    LvsConfigParser.Limits tiny = LvsConfigParser.Limits.forHeap(1L << 20);
    assertThat(tiny.maxFileBytes()).isEqualTo(1L << 20);
    assertThat(tiny.maxBlocks()).isEqualTo(1000);
    assertThat(LvsConfigParser.Limits.forHeap(1L << 40).maxFileBytes()).isEqualTo(64L << 20);
    assertThatThrownBy(() -> new LvsConfigParser.Limits(0, 1, 64, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_file_over_the_size_limit_is_not_read_and_the_message_says_why() throws Exception {
    Path f = dir.resolve("big.cf");
    Files.writeString(f, "# " + "x".repeat(5000) + "\n");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parser(SMALL).parse(f));
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).toString())
        .startsWith(
            f + ":1:1: error: the file is 5003 bytes: lvs-pulse reads files of at most 4096 bytes");
    assertThat(reject(parser(SMALL), "#".repeat(5000)).errors().get(0).message())
        .startsWith("the file is 5000 bytes");
  }

  @Test
  void a_file_that_grows_past_the_limit_while_it_is_read_stops_the_parse() throws Exception {
    // a Reader-level check: the size is checked first, and again as the characters arrive
    LvsConfigParser.Limits l = SMALL.withMaxFileBytes(9000);
    List<Lexer.Token> ok = Lexer.lex("a b\n".repeat(100), l);
    assertThat(ok).hasSize(200);
    assertThatThrownBy(() -> Lexer.lex("a b\n".repeat(3000), l))
        .isInstanceOf(LvsConfigParser.Limits.TooLarge.class);
  }

  @Test
  void more_blocks_than_the_limit_stop_the_parse_with_one_error() {
    StringBuilder b = new StringBuilder("virtual v {\n");
    for (int i = 0; i < 50; i++) {
      b.append(" server s").append(i).append(" {\n  address = 10.0.0.1\n }\n");
    }
    ConfigException e = reject(parser(SMALL), b.append("}\n").toString());
    assertThat(e.errors()).hasSize(1);
    Diagnostic d = e.errors().get(0);
    assertThat(d.line()).isEqualTo(2 + 3 * 9); // the 11th block: server s9
    assertThat(d.message())
        .startsWith(
            "too many blocks: the file has more than 10 virtual, failover and server blocks");
  }

  @Test
  void a_token_over_the_limit_is_an_error_that_echoes_its_start_and_length() {
    ConfigException e = reject(parser(SMALL), "virtual " + "n".repeat(150) + " {\n}\n");
    assertThat(e.errors().get(0).message())
        .isEqualTo("a word of 150 characters: lvs-pulse reads values of at most 100 characters");
    ConfigException q = reject(parser(SMALL), "serial_no = \"" + "1".repeat(120) + "\"\n");
    assertThat(q.errors().get(0).message()).startsWith("a quoted string of 120 characters");
  }

  @Test
  void a_line_over_the_limit_is_one_error_and_the_next_lines_are_read() {
    ConfigException e =
        reject(parser(SMALL), "serial_no = 2\n" + "y ".repeat(150) + "\nbogus = 1\n");
    assertThat(e.errors()).extracting(Diagnostic::line).containsExactly(2, 3);
    assertThat(e.errors().get(0).message())
        .isEqualTo(
            "line 2 is 300 characters long: lvs-pulse reads lines of at most 200 characters");
  }

  @Test
  void a_long_comment_line_is_still_a_comment() throws Exception {
    assertThat(parser(SMALL).parse("c.cf", "# " + "z".repeat(500) + "\nserial_no = 7\n"))
        .extracting(p -> p.config().global().serialNo())
        .isEqualTo(7);
  }

  @Test
  void errors_and_warnings_are_capped_at_the_limits() {
    ConfigException e = reject(parser(SMALL), "bogus = 1\n".repeat(40));
    assertThat(e.errors()).hasSize(6);
    assertThat(e.errors().get(5).toString())
        .isEqualTo(
            "l.cf:6:1: error: 35 more errors not shown, from here on (only the first 5 are listed)");
  }

  @Test
  void the_lexer_reads_line_ends_byte_order_mark_and_a_last_line_without_end_as_before()
      throws Exception {
    List<Lexer.Token> t = Lexer.lex("\uFEFFa b\r\nc\rd\n\ne", LvsConfigParser.Limits.defaults());
    assertThat(t)
        .extracting(x -> x.text() + "@" + x.line() + ":" + x.col())
        .containsExactly("a@1:1", "b@1:3", "c@2:1", "d@3:1", "e@5:1");
    ConfigException e = reject(TestParsers.parser(), "serial_no = 1\nvirtual x {\n");
    assertThat(e.errors().get(0).toString())
        .startsWith("l.cf:2:1: error: virtual 'x' is not closed");
    ConfigException eol = reject(TestParsers.parser(), "serial_no\n");
    assertThat(eol.errors().get(0).toString()).startsWith("l.cf:1:10: error: missing '='");
  }
}
