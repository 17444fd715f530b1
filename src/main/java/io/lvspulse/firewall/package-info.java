/**
 * Firewall-mark rules for fwmark virtual services (the TFTP-behind-LVS recipe): iptables-restore
 * input or an nft script, generated from {@link io.lvspulse.config.LvsConfig} ({@link
 * io.lvspulse.firewall.FirewallRules}, pure text), and their installers ({@link
 * io.lvspulse.firewall.FirewallInstaller}, {@link io.lvspulse.firewall.NftFirewallInstaller}:
 * {@code nft -f -} through the exec runner), which failover calls on activation ({@code
 * manage_firewall = 1}).
 *
 * <p>Imports {@code config}, {@code exec} and {@code net} only.
 */
@NullMarked
package io.lvspulse.firewall;

import org.jspecify.annotations.NullMarked;
