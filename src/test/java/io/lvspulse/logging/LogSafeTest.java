package io.lvspulse.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void plain_text_is_returned_as_it_is() {
    String s = "OK - answer from server: Datei nicht gefunden \\r\\n (escapes as text stay)";
    assertThat(LogSafe.escape(s)).isSameAs(s);
    assertThat(LogSafe.clean(s)).isTrue();
  }

  @Test
  void line_breaks_and_control_characters_become_visible_escapes() {
    assertThat(LogSafe.escape("a\nb\rc\td\u0000e\u001b[31mf\u007fg\u0085h"))
        .isEqualTo("a\\nb\\rc\\td\\x00e\\x1b[31mf\\x7fg\\x85h");
  }

  @Test
  void format_characters_separators_and_lone_surrogates_are_escaped() {
    assertThat(LogSafe.escape("x\u202ey\u2028z\u200b\uFEFF\ud800!"))
        .isEqualTo("x\\u202ey\\u2028z\\u200b\\ufeff\\ud800!");
    assertThat(LogSafe.escape("tag \uDB40\uDC41")).isEqualTo("tag \\u{e0041}");
    assertThat(LogSafe.escape("emoji \uD83D\uDE00 ok")).isEqualTo("emoji \uD83D\uDE00 ok");
  }

  @Test
  void a_long_text_is_cut_with_its_length_and_costs_only_the_cut() {
    String big = "A".repeat(20 << 20);
    String e = LogSafe.escape(big, 64);
    assertThat(e).isEqualTo("A".repeat(64) + "...(20971520 characters)");
    assertThat(LogSafe.escape("\n".repeat(100), 10))
        .isEqualTo("\\n".repeat(5) + "...(100 characters)");
  }

  @Test
  void null_is_written_as_null() {
    assertThat(LogSafe.escape(null)).isEqualTo("null");
  }
}
