package io.lvspulse.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/ points at a file of the repository, and every {@code
 * #anchor} at a heading of the page it names (GitHub's heading slugs).
 */
class DocsLinksTest {
  /**
   * Pages that other work in progress adds (the lab's end-to-end guide): a link to one of them is
   * not an error while it is missing. Once it exists, its links and anchors are checked like any
   * other page's, and the entry can go.
   */
  static final Set<Path> PENDING = Set.of(Path.of("docs/end-to-end.md"));

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");

  /** GitHub's anchor for a heading: lower case, punctuation dropped, blanks as hyphens. */
  static String slug(String heading) {
    String s = heading.strip().toLowerCase(Locale.ROOT);
    s = s.replaceAll("[^\\p{L}\\p{N}_\\- ]", "");
    return s.replace(' ', '-');
  }

  static Set<String> anchors(String markdown) {
    Set<String> out = new TreeSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
    while (m.find()) {
      String a = slug(m.group(1));
      int n = seen.merge(a, 1, Integer::sum) - 1;
      out.add(n == 0 ? a : a + "-" + n);
    }
    return out;
  }

  static List<Path> pages() throws IOException {
    List<Path> out = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> s = Files.walk(Path.of("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
    }
    return out;
  }

  /** The broken links of one page, as {@code PAGE: LINK (why)}. */
  static List<String> brokenLinks(Path page) throws IOException {
    String text = FENCE.matcher(Files.readString(page, StandardCharsets.UTF_8)).replaceAll("");
    List<String> out = new ArrayList<>();
    Matcher m = LINK.matcher(text);
    while (m.find()) {
      String link = m.group(1);
      if (link.matches("^[a-z]+:.*")) {
        continue; // http:, https:, mailto:
      }
      int hash = link.indexOf('#');
      String file = hash < 0 ? link : link.substring(0, hash);
      String anchor = hash < 0 ? "" : link.substring(hash + 1);
      Path target = file.isEmpty() ? page : page.resolveSibling(file).normalize();
      if (!Files.exists(target)) {
        if (!PENDING.contains(target)) {
          out.add(page + ": " + link + " (no file " + target + ")");
        }
      } else if (!anchor.isEmpty()
          && target.toString().endsWith(".md")
          && !anchors(Files.readString(target, StandardCharsets.UTF_8)).contains(anchor)) {
        out.add(page + ": " + link + " (no heading #" + anchor + " in " + target + ")");
      }
    }
    return out;
  }

  @Test
  void every_relative_link_and_anchor_in_the_docs_resolves() throws IOException {
    List<Path> pages = pages();
    assertThat(pages).hasSizeGreaterThan(10);
    List<String> broken = new ArrayList<>();
    for (Path p : pages) {
      broken.addAll(brokenLinks(p));
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void slugs_follow_github() {
    assertThat(slug("Firewall marks: `firewall-rules`")).isEqualTo("firewall-marks-firewall-rules");
    assertThat(slug("IPVS: one `-R` batch versus one exec per change"))
        .isEqualTo("ipvs-one--r-batch-versus-one-exec-per-change");
    assertThat(slug("3.2 Timers and state machine (`run`, pir:pulse.c:2001-2615)"))
        .isEqualTo("32-timers-and-state-machine-run-pirpulsec2001-2615");
    assertThat(anchors("# A\n## A\n```\n# B\n```\n")).containsExactly("a", "a-1");
  }
}
