package io.lvspulse.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Renders lvs-pulse(8) as troff (man macros) from the picocli model of {@code io.lvspulse.cli}: one
 * subsection per command and subcommand with its synopsis, description, options, parameters and
 * exit codes, between hand-written NAME/DESCRIPTION and FILES/SIGNALS/SEE ALSO sections. {@code
 * ManPageTest} keeps {@code man/lvs-pulse.8} equal to the output.
 *
 * <p>Text from the model is escaped for troff: backslashes, a leading dot or quote, hyphens as
 * {@code \-} (so options can be copied), straight quotes, and {@code `code`} in bold.
 */
final class ManPage {
  private ManPage() {}

  static final String REGENERATE = "mvn -B -ntp -q test -Dtest=ManPageTest -Dlvspulse.regen=true";

  private static final String HEAD =
      """
      .\\" lvs-pulse(8): generated from the picocli model of io.lvspulse.cli by
      .\\" src/test/java/io/lvspulse/docs/ManPage.java. Do not edit; regenerate with
      .\\"   %s
      .TH LVS\\-PULSE 8 "" "lvs\\-pulse" "System Administration"
      .nh
      .ad l
      .SH NAME
      lvs\\-pulse \\- health monitor, IPVS controller and director failover for LVS
      .SH SYNOPSIS
      .B lvs\\-pulse
      .I COMMAND
      .RI [ OPTIONS ]
      .br
      .B lvs\\-pulse
      .RB [ \\-h | \\-\\-help | \\-V | \\-\\-version ]
      .SH DESCRIPTION
      .B lvs\\-pulse
      keeps a Linux Virtual Server (LVS/IPVS) cluster healthy.
      It replaces Red Hat Piranha's
      .BR pulse ", " lvsd " and " nanny
      with one daemon that reads the same
      .I /etc/sysconfig/ha/lvs.cf
      unchanged and runs on both directors.
      It probes every real server (natively for TFTP, TCP/UDP send/expect, or an external
      .IR send_program ),
      keeps the kernel's IPVS table in step with their health through
      .BR ipvsadm (8)
      (one
      .B ipvsadm \\-R
      batch per change, never a flush), and moves the virtual IP addresses to the backup director
      when the active one fails.
      It serves Prometheus metrics on
      .IR /metrics ,
      its state on
      .I /status
      and
      .I /healthz
      on the address of
      .BR \\-\\-listen .
      .PP
      """;

  private static final String TAIL =
      """
      .SH SIGNALS
      .TP
      .B SIGHUP
      .B run
      re\\-reads the configuration file
      .RB ( "systemctl reload lvs\\-pulse" ).
      A file with errors changes nothing: each error is logged (at most 100, then a count) and the
      running configuration stays.
      So does a valid file that would withdraw every virtual service or every real server (an empty
      or truncated file): the refusal is logged with how to force it.
      A valid file is applied as a difference; removed real servers are drained.
      .TP
      .B SIGUSR1
      .B run
      re\\-reads the configuration file as SIGHUP does, but applies a valid file even if it withdraws
      every virtual service or every real server
      .RB ( "systemctl kill \\-\\-kill\\-whom=main \\-\\-signal=SIGUSR1 lvs\\-pulse" ).
      .TP
      .B SIGTERM
      .B run
      stops: an active director takes its VIPs down and tells its partner (STOPPED), so the partner
      takes over at once.
      The IPVS table is left as it is unless
      .BR \\-\\-cleanup\\-on\\-stop .
      The exit status is 143.
      .SH EXIT STATUS
      0 on success, 1 on a runtime error (an invalid configuration, an unavailable IPVS backend or
      HTTP port), 2 on a usage error, 143 after SIGTERM;
      .B check\\-tftp
      uses the Nagios plugin codes listed with it.
      .SH FILES
      .TP
      .I /etc/sysconfig/ha/lvs.cf
      The configuration, in Piranha's format: the same file on both directors.
      .TP
      .I /etc/default/lvs\\-pulse
      .BR LVS_PULSE_CONFIG ", " LVS_PULSE_OPTS " and " JAVA_OPTS
      for the systemd unit
      .BR lvs\\-pulse.service .
      .TP
      .I /etc/lvs\\-pulse/logback.xml
      Logging configuration (one line per event).
      .TP
      .I /etc/lvs\\-pulse/heartbeat.key
      The key of authenticated heartbeats, when
      .B heartbeat_key_file
      names it.
      .TP
      .I /usr/lib/lvs\\-pulse/lvs\\-pulse.jar
      The program;
      .I /usr/sbin/lvs\\-pulse
      runs it.
      .SH SEE ALSO
      .BR lvs.cf (5),
      .BR ipvsadm (8),
      .BR systemctl (1),
      .BR arping (8).
      .PP
      The documentation in
      .I docs/
      of the source tree: installation, operation, configuration, health checks, IPVS, failover,
      metrics and the differences from Piranha.
      """;

  /** The whole page. */
  static String render(CommandLine root) {
    StringBuilder out = new StringBuilder(String.format(HEAD, REGENERATE));
    description(out, root.getCommandSpec());
    out.append(".SH COMMANDS\n");
    for (CommandLine sub : root.getSubcommands().values()) {
      command(out, sub);
    }
    return out.append(TAIL).toString();
  }

  private static void command(StringBuilder out, CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    out.append(".SS \"").append(escape(spec.qualifiedName())).append("\"\n");
    synopsis(out, spec);
    description(out, spec);
    List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
    List<PositionalParamSpec> params =
        spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    for (PositionalParamSpec p : params) {
      out.append(".TP\n").append(italic(label(p))).append('\n');
      lines(out, p.renderedDescription());
    }
    for (OptionSpec o : options) {
      out.append(".TP\n").append(optionTerm(o)).append('\n');
      lines(out, o.renderedDescription());
    }
    Map<String, String> codes = spec.usageMessage().exitCodeList();
    if (!codes.isEmpty()) {
      out.append(".PP\nExit status:\n");
      codes.forEach(
          (code, meaning) ->
              out.append(".TP\n.B ")
                  .append(escape(code.strip()))
                  .append('\n')
                  .append(text(meaning))
                  .append('\n'));
    }
    lines(out, spec.usageMessage().footer());
    for (CommandLine sub : cl.getSubcommands().values()) {
      command(out, sub);
    }
  }

  private static void synopsis(StringBuilder out, CommandSpec spec) {
    List<String> words = new ArrayList<>();
    words.add(bold(spec.qualifiedName()));
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        String first = bold(o.shortestName());
        String arg = o.typeInfo().isBoolean() ? "" : " " + italic(label(o));
        String repeat = o.isMultiValue() && o.splitRegex().isEmpty() ? "..." : "";
        String word = (o.required() ? "" : "[") + first + arg + (o.required() ? "" : "]") + repeat;
        words.add(word.replace(" ", "\\ "));
      }
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (!p.hidden()) {
        String word = p.arity().min > 0 ? italic(label(p)) : "[" + italic(label(p)) + "]";
        words.add(word.replace(" ", "\\ "));
      }
    }
    if (!spec.subcommands().isEmpty()) {
      words.add(italic("COMMAND"));
    }
    out.append(".PP\n").append(String.join("\n", words)).append('\n');
  }

  private static void description(StringBuilder out, CommandSpec spec) {
    String[] d = spec.usageMessage().description();
    if (d.length > 0) {
      out.append(".PP\n");
      lines(out, d);
    }
  }

  /**
   * Description lines: one source line each, so troff fills them into a paragraph. An indented line
   * (a list item in the help text) starts a line of its own, and so does the line after it.
   */
  private static void lines(StringBuilder out, String[] description) {
    boolean afterIndented = false;
    for (String element : description) {
      for (String line : element.split("%n|\n", -1)) {
        if (line.isBlank()) {
          continue;
        }
        boolean indented = Character.isWhitespace(line.charAt(0));
        if (afterIndented && !indented) {
          out.append(".br\n");
        }
        out.append(text(line.stripTrailing())).append('\n');
        afterIndented = indented;
      }
    }
  }

  private static String optionTerm(OptionSpec o) {
    List<String> names = new ArrayList<>();
    for (String n : o.names()) {
      names.add(bold(n));
    }
    String term = String.join(", ", names);
    return o.typeInfo().isBoolean() ? term : term + "=" + italic(label(o));
  }

  /** The value label: {@code FILE}, {@code servers[,servers...]} (angle brackets dropped). */
  static String label(ArgSpec a) {
    String l = a.paramLabel().replaceAll("^<(.*)>$", "$1");
    if (a instanceof OptionSpec o && !o.splitRegex().isEmpty()) {
      String sep = o.splitRegex().replace("\\", "");
      l = l + "[" + sep + l + "...]";
    }
    return l;
  }

  static String bold(String s) {
    return "\\fB" + escape(s) + "\\fR";
  }

  static String italic(String s) {
    return "\\fI" + escape(s) + "\\fR";
  }

  /** A text line: escaped, {@code `code`} in bold, protected when it would start a request. */
  static String text(String line) {
    StringBuilder out = new StringBuilder();
    String[] parts = line.split("`", -1);
    for (int i = 0; i < parts.length; i++) {
      boolean code = i % 2 == 1 && i < parts.length - 1;
      if (i % 2 == 1 && !code) {
        out.append("\\(ga");
      }
      out.append(code ? bold(parts[i]) : escape(parts[i]));
    }
    String s = out.toString();
    return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
  }

  /** Escapes troff's special characters (not the start of a line: see {@link #text}). */
  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\e");
        case '-' -> out.append("\\-");
        case '\'' -> out.append("\\(aq");
        case '"' -> out.append("\\(dq");
        case '\t' -> out.append(' ');
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
