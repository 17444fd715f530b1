package io.lvspulse.firewall;

import io.lvspulse.config.LvsConfig;

/**
 * Installs and removes the fwmark rules of the active virtual services ({@code manage_firewall =
 * 1}). The daemon connects it to the {@code firewall-rules} generator; {@link NftFirewallInstaller}
 * runs {@code nft -f -} with a generated script. Called on the failover actions thread; a failure
 * is thrown, logged and counted by {@code failover.Failover}, never fatal.
 */
public interface FirewallInstaller {

  /**
   * Installs (or replaces) the rules for {@code config}; called on activation and on reload while
   * active.
   */
  void install(LvsConfig config) throws FirewallException;

  /** Removes the rules; called on deactivation. */
  void remove(LvsConfig config) throws FirewallException;

  /** Does nothing (no {@code manage_firewall}, or the rules are managed elsewhere). */
  static FirewallInstaller none() {
    return new FirewallInstaller() {
      @Override
      public void install(LvsConfig config) {}

      @Override
      public void remove(LvsConfig config) {}
    };
  }

  /** Installing or removing the rules failed. */
  final class FirewallException extends Exception {
    public FirewallException(String message) {
      super(message);
    }
  }
}
