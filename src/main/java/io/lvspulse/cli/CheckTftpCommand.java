package io.lvspulse.cli;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import io.lvspulse.probe.tftp.TftpCheck;
import io.lvspulse.probe.tftp.TftpProbeEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code check-tftp}: a drop-in replacement for the Nagios {@code check_tftp} plugin, using the
 * native probe. Exit codes: 0 OK, 2 CRITICAL, 3 UNKNOWN (unknown host, local error), 5 bad usage.
 */
@Command(
    name = "check-tftp",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = CheckTftpCommand.EXIT_USAGE,
    exitCodeOnExecutionException = CheckTftpCommand.EXIT_UNKNOWN,
    versionProvider = Main.Version.class,
    description = {
      "Checks a TFTP server natively (drop-in for the Nagios check_tftp plugin).",
      "  --connect HOST: asks for a file that does not exist; any TFTP answer is OK.",
      "  --get HOST FILENAME SIZE: fetches the file; OK when its size (and --sha256) match.",
      "Prints one line with Nagios perfdata. Exit 0 OK, 2 CRITICAL, 3 UNKNOWN, 5 bad usage."
    })
public final class CheckTftpCommand implements Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_CRITICAL = 2;
  static final int EXIT_UNKNOWN = 3;
  static final int EXIT_USAGE = 5;

  @Spec CommandSpec spec;

  @Option(names = "--connect", paramLabel = "HOST", description = "Connect check of HOST.")
  @Nullable String connect;

  @Option(
      names = "--get",
      arity = "3",
      paramLabel = "HOST FILENAME SIZE",
      hideParamSyntax = true,
      description = "Fetch FILENAME from HOST and expect SIZE bytes.")
  @Nullable List<String> get;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "69",
      description = "UDP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = {"-t", "--timeout"},
      defaultValue = "5",
      paramLabel = "SECONDS",
      description = "Give up after SECONDS (default: ${DEFAULT-VALUE}; decimals allowed).")
  BigDecimal timeoutSeconds;

  @Option(names = "--sha256", paramLabel = "HEX", description = "With --get: expected SHA-256.")
  @Nullable String sha256;

  @Option(
      names = "--blksize",
      paramLabel = "BYTES",
      defaultValue = "" + TftpCheck.DEFAULT_GET_BLOCK_SIZE,
      description = "With --get: blksize to negotiate, 0 for none (default: ${DEFAULT-VALUE}).")
  int blockSize;

  @Option(names = "--netascii", description = "With --get: netascii mode (default octet).")
  boolean netascii;

  @Option(
      names = {"-v", "--verbose"},
      description = "Print details (cause, server, elapsed time) on stderr.")
  boolean verbose;

  @Override
  public Integer call() {
    if ((connect == null) == (get == null)) {
      throw new ParameterException(spec.commandLine(), "give exactly one of --connect or --get");
    }
    if (port < 1 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "port must be 1..65535: " + port);
    }
    if (timeoutSeconds.signum() <= 0 || timeoutSeconds.compareTo(BigDecimal.valueOf(86400)) > 0) {
      throw new ParameterException(spec.commandLine(), "timeout must be in (0, 86400] seconds");
    }
    Duration timeout =
        Duration.ofNanos(
            timeoutSeconds
                .movePointRight(9)
                .setScale(0, java.math.RoundingMode.UP)
                .longValueExact());
    String host = connect != null ? connect : get.get(0);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    InetAddress addr;
    try {
      addr = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      // check_tftp exits 0 here because of a misspelt variable ($STATE_DEPENDANT); we exit 3
      out.println("Unknown host " + host);
      out.flush();
      return EXIT_UNKNOWN;
    }
    InetSocketAddress server = new InetSocketAddress(addr, port);
    TftpCheck check;
    try {
      if (connect != null) {
        if (sha256 != null) {
          throw new ParameterException(spec.commandLine(), "--sha256 needs --get");
        }
        check = TftpCheck.connect(server, timeout);
      } else {
        long size = parseSize(get.get(2));
        check =
            TftpCheck.get(server, get.get(1), size, Optional.ofNullable(sha256), timeout)
                .withBlockSize(blockSize)
                .withNetascii(netascii);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }

    ProbeResult r;
    try (TftpProbeEngine engine = new TftpProbeEngine(System::nanoTime, Runnable::run, true, 1)) {
      r = engine.probe(check).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (IOException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      out.println("UNKNOWN: TFTP probe failed - " + e.getMessage());
      out.flush();
      return EXIT_UNKNOWN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.println("UNKNOWN: interrupted");
      out.flush();
      return EXIT_UNKNOWN;
    }
    out.println(line(r));
    out.flush();
    if (verbose) {
      err.printf(
          Locale.ROOT,
          "server=%s mode=%s result=%s cause=%s elapsed=%s%n",
          server,
          connect != null ? "connect" : "get",
          r.success() ? "ok" : "failure",
          r.cause().map(Enum::name).orElse("-"),
          r.elapsed());
      err.flush();
    }
    return exitCode(r);
  }

  /** The one stdout line: check_tftp's message and Nagios perfdata. */
  static String line(ProbeResult r) {
    return String.format(Locale.ROOT, "%s | time=%.6fs", r.message(), r.elapsed().toNanos() / 1e9);
  }

  static int exitCode(ProbeResult r) {
    if (r.success()) {
      return EXIT_OK;
    }
    FailureCause c = r.cause().orElseThrow();
    return c == FailureCause.UNKNOWN_HOST
            || c == FailureCause.IO_ERROR
            || c == FailureCause.LOCAL_ERROR
        ? EXIT_UNKNOWN
        : EXIT_CRITICAL;
  }

  private long parseSize(String s) {
    if (!s.matches("\\d{1,18}")) {
      throw new ParameterException(spec.commandLine(), "SIZE must be a byte count: " + s);
    }
    return Long.parseLong(s);
  }
}
