package io.lvspulse.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every section sign in the sources cites docs/reference/piranha-behaviour.md, and every section it
 * cites is a heading there: the reference the code relies on is in the repository.
 */
class ReferenceCitationsTest {
  static final Path REFERENCE = Path.of("docs/reference/piranha-behaviour.md");
  static final String NAME = "piranha-behaviour.md";
  private static final Pattern CITATION = Pattern.compile("§\\s*(\\d+(?:\\.\\d+)*)");
  private static final Pattern NAMED_RUN =
      Pattern.compile(Pattern.quote(NAME) + "(?:[\\s*,;]|\\band\\b|§\\s*\\d+(?:\\.\\d+)*)+");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{2,4} (\\d+(?:\\.\\d+)*)[ .]");

  /** A section sign in a source file. */
  record Citation(Path file, int line, String section, boolean namesTheReference) {
    @Override
    public String toString() {
      return file + ":" + line + ": §" + section;
    }
  }

  static Set<String> headings(String markdown) {
    Set<String> out = new TreeSet<>();
    Matcher m = HEADING.matcher(markdown);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * The section signs of one file. A citation names the reference when it follows {@value #NAME} in
   * a run of section numbers separated by blanks, commas, "and" or a comment line break.
   */
  static List<Citation> citations(Path file, String text) {
    List<int[]> named = new ArrayList<>();
    Matcher run = NAMED_RUN.matcher(text);
    while (run.find()) {
      named.add(new int[] {run.start(), run.end()});
    }
    List<Citation> out = new ArrayList<>();
    Matcher m = CITATION.matcher(text);
    while (m.find()) {
      int at = m.start();
      int line = (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
      boolean isNamed = named.stream().anyMatch(r -> r[0] <= at && at < r[1]);
      out.add(new Citation(file, line, m.group(1), isNamed));
    }
    return out;
  }

  static List<Citation> sourceCitations() throws IOException {
    List<Citation> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src"))) {
      files
          .filter(p -> p.toString().endsWith(".java"))
          .sorted()
          .forEach(
              p -> {
                try {
                  out.addAll(citations(p, Files.readString(p, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return out;
  }

  @Test
  void every_section_cited_in_the_sources_is_a_heading_of_the_reference() throws IOException {
    Set<String> sections = headings(Files.readString(REFERENCE, StandardCharsets.UTF_8));
    List<Citation> cited = sourceCitations();

    // The code cites at least the state machines, the ipvsadm lines and the heartbeat.
    assertThat(cited).extracting(Citation::section).contains("3.1", "3.2", "2.2", "2.6");
    assertThat(cited)
        .as("citations of a section missing from %s (headings: %s)", REFERENCE, sections)
        .allMatch(c -> sections.contains(c.section()));
  }

  @Test
  void every_section_sign_in_the_sources_names_the_reference_it_cites() throws IOException {
    assertThat(sourceCitations())
        .as("write docs/reference/piranha-behaviour.md §N.N, not 'reference §N.N'")
        .allMatch(Citation::namesTheReference);
  }

  @Test
  void the_checker_finds_a_missing_section_and_an_unnamed_reference() {
    Set<String> sections = headings("# Title\n## 2. nanny\n### 2.6 Exact lines\n#### 3.2 x\n");
    assertThat(sections).containsExactly("2", "2.6", "3.2");

    List<Citation> c =
        citations(
            Path.of("X.java"),
            "/** ok (docs/reference/piranha-behaviour.md \u00a72.6, \u00a79.9 and\n"
                + " * \u00a71.1). bad (reference \u00a73.2) */");
    assertThat(c)
        .extracting(Citation::section, Citation::namesTheReference, Citation::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2.6", true, 1),
            org.assertj.core.groups.Tuple.tuple("9.9", true, 1),
            org.assertj.core.groups.Tuple.tuple("1.1", true, 2),
            org.assertj.core.groups.Tuple.tuple("3.2", false, 2));
    assertThat(c).filteredOn(x -> !sections.contains(x.section())).hasSize(2);
  }
}
