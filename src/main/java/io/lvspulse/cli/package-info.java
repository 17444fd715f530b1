/**
 * The command line (picocli): {@code run}, {@code demo}, {@code status}, {@code check-config},
 * {@code plan}, {@code firewall-rules}, {@code announce}, {@code check-tftp} and {@code bench}.
 * Each command is a thin layer over the packages below it; {@link io.lvspulse.cli.Main} registers
 * them.
 */
@NullMarked
package io.lvspulse.cli;

import org.jspecify.annotations.NullMarked;
