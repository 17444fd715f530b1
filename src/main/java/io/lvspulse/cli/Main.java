package io.lvspulse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code lvs-pulse}: a picocli command with one subcommand per job.
 *
 * <p>Exit codes follow each subcommand's documentation; usage errors exit 2 unless a subcommand
 * (such as {@code check-tftp}) promises another code.
 */
@Command(
    name = "lvs-pulse",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Health monitor, IPVS controller and director failover for LVS; reads Piranha's lvs.cf.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (for tests; {@link #main} exits with it). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured picocli command line with every subcommand registered. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    // Subcommands are registered here, one line each.
    cl.addSubcommand(new RunCommand());
    cl.addSubcommand(new StatusCommand());
    cl.addSubcommand(new AdminStateCommand.Drain());
    cl.addSubcommand(new AdminStateCommand.Maintenance());
    cl.addSubcommand(new AdminStateCommand.Enable());
    cl.addSubcommand(new DemoCommand());
    cl.addSubcommand(new PlanCommand());
    cl.addSubcommand(new CheckTftpCommand());
    cl.addSubcommand(new BenchCommand());
    cl.addSubcommand(new CheckConfigCommand());
    cl.addSubcommand(new FirewallRulesCommand());
    cl.addSubcommand(new AnnounceCommand());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  /** Reads the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"lvs-pulse " + (v == null ? "dev" : v)};
    }
  }
}
