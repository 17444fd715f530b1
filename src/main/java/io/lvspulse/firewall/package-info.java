/**
 * Firewall-mark rules for fwmark virtual services (the TFTP-behind-LVS recipe): iptables-restore
 * input or an nft script, generated from {@link io.lvspulse.config.LvsConfig}. Pure text; applying
 * them is someone else's job.
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.firewall;
