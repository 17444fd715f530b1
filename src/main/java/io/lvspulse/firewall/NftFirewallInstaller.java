package io.lvspulse.firewall;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link FirewallInstaller} that feeds an nftables script to {@code nft -f -} (stdin; no
 * temporary file, no shell). {@link #forRules} is the daemon's: the {@link FirewallRules#nft}
 * script in, {@link FirewallRules#nftRemove} out. Other scripts come from functions: {@code
 * installScript} should be idempotent (e.g. {@code table inet lvs_pulse {}; flush table inet
 * lvs_pulse; table inet lvs_pulse { ... }}), {@code removeScript} e.g. {@code delete table inet
 * lvs_pulse}. {@code nft -f} applies a script atomically, so a failing script changes nothing.
 */
public final class NftFirewallInstaller implements FirewallInstaller {
  /** The watchdog of one {@code nft -f -} run. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final ExecRunner runner;
  private final List<String> command;
  private final Duration timeout;
  private final Function<LvsConfig, String> installScript;
  private final Function<LvsConfig, String> removeScript;

  /**
   * @param runner the exec runner
   * @param commandPrefix words before {@code nft} (empty, or {@code ip netns exec NS} in tests)
   * @param nft the nft program
   * @param timeout watchdog
   * @param installScript the script that installs the rules for a config
   * @param removeScript the script that removes them
   */
  public NftFirewallInstaller(
      ExecRunner runner,
      List<String> commandPrefix,
      String nft,
      Duration timeout,
      Function<LvsConfig, String> installScript,
      Function<LvsConfig, String> removeScript) {
    this.runner = Objects.requireNonNull(runner);
    List<String> c = new ArrayList<>(commandPrefix);
    c.add(nft);
    c.add("-f");
    c.add("-");
    this.command = List.copyOf(c);
    this.timeout = timeout;
    this.installScript = installScript;
    this.removeScript = removeScript;
  }

  /**
   * The installer of {@code manage_firewall = 1}: installs {@link FirewallRules#nft} for the config
   * (table {@code ip lvs_pulse}, replaced atomically) and removes it by deleting that table.
   *
   * @param commandPrefix words before {@code nft} (empty, or {@code ip netns exec NS} in tests)
   * @param options the rules' options
   * @param source the config file named in the script's header comment
   */
  public static NftFirewallInstaller forRules(
      ExecRunner runner, List<String> commandPrefix, FirewallRules.Options options, String source) {
    // The ip6 table exists only while a config has IPv6 VIPs (a kernel without IPv6 has no ip6
    // family): a config without them drops the table an earlier one installed, and so does remove.
    AtomicBoolean ip6Installed = new AtomicBoolean();
    NftFirewallInstaller installer =
        new NftFirewallInstaller(
            runner,
            commandPrefix,
            "nft",
            DEFAULT_TIMEOUT,
            cfg -> {
              String script = FirewallRules.nft(cfg, options, source);
              return FirewallRules.hasIpv6(cfg, options) || !ip6Installed.get()
                  ? script
                  : script + FirewallRules.nftRemoveIpv6();
            },
            cfg ->
                FirewallRules.hasIpv6(cfg, options) || ip6Installed.get()
                    ? FirewallRules.nftRemove() + FirewallRules.nftRemoveIpv6()
                    : FirewallRules.nftRemove());
    installer.afterInstall = cfg -> ip6Installed.set(FirewallRules.hasIpv6(cfg, options));
    installer.afterRemove = () -> ip6Installed.set(false);
    return installer;
  }

  private Consumer<LvsConfig> afterInstall = cfg -> {};
  private Runnable afterRemove = () -> {};

  /** The argument list run (the script goes to its stdin). */
  public List<String> command() {
    return command;
  }

  @Override
  public void install(LvsConfig config) throws FirewallException {
    run("install", installScript.apply(config));
    afterInstall.accept(config);
  }

  @Override
  public void remove(LvsConfig config) throws FirewallException {
    run("remove", removeScript.apply(config));
    afterRemove.run();
  }

  private void run(String what, String script) throws FirewallException {
    ExecResult r =
        runner.run(
            ExecRequest.of(timeout, command).withStdin(script.getBytes(StandardCharsets.UTF_8)));
    if (!r.succeeded() || !r.stderr().isBlank()) {
      throw new FirewallException("nft -f - (" + what + " fwmark rules): " + r.describe());
    }
  }
}
