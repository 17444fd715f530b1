package io.lvspulse.config;

import io.lvspulse.config.Keys.Section;
import io.lvspulse.config.Keys.Spec;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lvs.cf key reference, generated from the key table ({@link Keys}): the key tables of {@code
 * docs/configuration.md} (between its BEGIN/END GENERATED markers) and the whole of {@code
 * man/lvs.cf.5}. {@link KeyReferenceTest} fails when a committed file differs, and rewrites both
 * with {@code -Dlvspulse.regen=true}.
 */
final class KeyReference {
  private KeyReference() {}

  static final String BEGIN = "<!-- BEGIN GENERATED: lvs.cf keys -->";
  static final String END = "<!-- END GENERATED: lvs.cf keys -->";
  static final String REGENERATE = "mvn -q test -Dtest=KeyReferenceTest -Dlvspulse.regen=true";

  private static String title(Section s) {
    return switch (s) {
      case GLOBAL -> "Global keys";
      case VIRTUAL -> "`virtual` and `failover` block keys";
      case SERVER -> "`server` block keys";
    };
  }

  // ---------------------------------------------------------------- Markdown

  /** The generated region of docs/configuration.md, markers included. */
  static String markdown() {
    StringBuilder o = new StringBuilder();
    o.append(BEGIN).append('\n');
    o.append("<!-- Generated from the key table (src/main/java/io/lvspulse/config/Keys.java);")
        .append(" do not edit here.\n     Regenerate: ")
        .append(REGENERATE)
        .append(" -->\n");
    for (Section s : Section.values()) {
      o.append("\n### ").append(title(s)).append("\n\n");
      o.append("| key | value | default | origin | what lvs-pulse does with it |\n");
      o.append("|---|---|---|---|---|\n");
      for (Spec k : Keys.all(s)) {
        o.append("| `")
            .append(k.name())
            .append("` | ")
            .append(md(k.expected()))
            .append(" | ")
            .append(md(k.defaultValue()))
            .append(" | ")
            .append(k.extension() ? "*extension*" : "Piranha")
            .append(" | ")
            .append(md(k.doc()))
            .append(" |\n");
      }
    }
    o.append('\n').append(END).append('\n');
    return o.toString();
  }

  private static String md(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("<", "&lt;");
  }

  /** {@code doc} with its generated region replaced by {@link #markdown()}. */
  static String withRegion(String doc) {
    int a = doc.indexOf(BEGIN);
    int b = doc.indexOf(END);
    if (a < 0 || b < a) {
      throw new IllegalArgumentException("no '" + BEGIN + "' ... '" + END + "' region");
    }
    int end = b + END.length();
    if (end < doc.length() && doc.charAt(end) == '\n') {
      end++;
    }
    return doc.substring(0, a) + markdown() + doc.substring(end);
  }

  // ---------------------------------------------------------------- lvs.cf(5)

  /** A valid lvs.cf shown in the EXAMPLE section (the test parses it). */
  static final String EXAMPLE =
      """
      # Two directors balancing TFTP by firewall mark 1, direct routing.
      primary = 192.0.2.1
      service = lvs
      backup_active = 1
      backup = 192.0.2.2
      heartbeat_port = 539
      keepalive = 2
      deadtime = 6
      network = direct

      virtual tftp {
          active = 1
          address = 203.0.113.10 eth0:1
          fwmark = 1
          port = 69
          protocol = udp
          persistent = 45
          send_program = "/usr/local/bin/check_tftp --connect %h"
          expect = "OK - answer from server"
          timeout = 6
          reentry = 15

          server ftp1 {
              address = 10.0.0.2
              active = 1
              weight = 1
          }
          server ftp2 {
              address = 10.0.0.3
              active = 1
              weight = 1
          }
      }
      """;

  /** The whole man page. */
  static String manPage() {
    StringBuilder o = new StringBuilder();
    o.append(".\\\" Generated from the key table (src/main/java/io/lvspulse/config/Keys.java);")
        .append(" do not edit.\n");
    o.append(".\\\" Regenerate: ").append(REGENERATE).append('\n');
    o.append(".TH LVS.CF 5 \"\" \"lvs-pulse\" \"File Formats\"\n");
    o.append(".SH NAME\n");
    o.append("lvs.cf \\- configuration file of lvs\\-pulse (Red Hat Piranha's format)\n");
    o.append(".SH SYNOPSIS\n");
    o.append(".B /etc/sysconfig/ha/lvs.cf\n");
    o.append(".SH DESCRIPTION\n");
    o.append(
        roff(
            """
            lvs-pulse reads Red Hat Piranha's lvs.cf unchanged: every keyword of Piranha 0.8.6, \
            with Piranha's types and defaults. A few extension keys are lvs-pulse's own; Piranha \
            rejects them, so leave them out of a file Piranha must still read. The file given to \
            lvs-pulse run --config (by default, in lvs-pulse.service, the path above) is read at \
            start and again on SIGHUP; an invalid file is refused and the running configuration \
            kept."""));
    o.append(".PP\n");
    o.append(
        roff(
            """
            A file holds global key = value lines, virtual NAME { ... } blocks that hold server \
            NAME { ... } blocks, and failover NAME { ... } blocks (Piranha's FOS mode, parsed and \
            ignored). Blanks separate tokens; a value with blanks is quoted with "..." or '...' \
            (the quotes are removed; there are no escapes). A line whose first non-blank \
            character is # is a comment. The canonical form has one directive per line; the \
            flattened form, where a whole block sits on one line, is read too: each key's number \
            of values tells where the next directive starts."""));
    o.append(".PP\n");
    o.append(
        roff(
            """
            Numbers are read as C strtol does: 42, 0x2a, and 052 (octal, with a warning). A \
            boolean is 0 or 1. Addresses are IPv4 (inet_aton forms, a non-canonical one with a \
            warning) or host names, resolved once when the file is read. Every mistake is \
            reported as FILE:LINE:COL: error: MESSAGE, and lvs-pulse check-config FILE checks a \
            file without running anything."""));
    keySection(o, "GLOBAL KEYS", Section.GLOBAL, "Before, between or after the blocks.");
    keySection(
        o,
        "VIRTUAL AND FAILOVER KEYS",
        Section.VIRTUAL,
        "Inside virtual NAME { ... } (and failover NAME { ... }).");
    keySection(
        o, "SERVER KEYS", Section.SERVER, "Inside server NAME { ... }, inside a virtual block.");
    o.append(".SH EXAMPLE\n");
    o.append(".EX\n");
    for (String line : EXAMPLE.split("\n", -1)) {
      if (!line.isEmpty()) {
        o.append(roffLine(line));
      }
      o.append('\n');
    }
    o.setLength(o.length() - 1); // the text block's last newline
    o.append(".EE\n");
    o.append(".SH SEE ALSO\n");
    o.append(".BR lvs\\-pulse (8),\n");
    o.append(".BR ipvsadm (8)\n");
    return o.toString();
  }

  private static void keySection(StringBuilder o, String title, Section s, String where) {
    o.append(".SH ").append(title).append('\n');
    o.append(roff(where));
    for (Spec k : Keys.all(s)) {
      o.append(".TP\n");
      o.append("\\fB")
          .append(roffLine(k.name()))
          .append(" =\\fR \\fI")
          .append(roffLine(k.expected()))
          .append("\\fR\n");
      o.append(roff(k.doc()));
      o.append(".br\n");
      o.append(
          roff(
              "Default: "
                  + k.defaultValue()
                  + ". "
                  + (k.extension()
                      ? "lvs-pulse extension (Piranha rejects it)."
                      : "Piranha key.")));
    }
  }

  private static final Pattern OPTION = Pattern.compile("(^|[\\s(])-(?=[a-zA-Z-])");

  /** One line of running text: backslashes escaped, option dashes as \-, no leading dot. */
  private static String roffLine(String s) {
    String e = s.replace("\\", "\\e");
    e = OPTION.matcher(e).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "\\-"));
    e = e.replace("lvs-pulse", "lvs\\-pulse");
    if (e.startsWith(".") || e.startsWith("'")) {
      e = "\\&" + e;
    }
    return e;
  }

  /** Text as roff lines, one sentence per line (as man pages are written). */
  private static String roff(String text) {
    StringBuilder o = new StringBuilder();
    for (String sentence : List.of(text.split("(?<=[.;:]) (?=[A-Z0-9(])"))) {
      o.append(roffLine(sentence.strip())).append('\n');
    }
    return o.toString();
  }
}
