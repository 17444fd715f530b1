/**
 * lvs.cf (Piranha 0.8.6 format plus a few documented lvs-pulse extension keys): the immutable model
 * ({@link io.lvspulse.config.LvsConfig} and its records), the key table ({@link
 * io.lvspulse.config.Keys}: every key declared once with how it is read, set, written and
 * documented), the parser ({@link io.lvspulse.config.LvsConfigParser}) that reports every mistake
 * as {@code FILE:LINE:COL: error: MESSAGE}, and the canonical writer ({@link
 * io.lvspulse.config.LvsConfigWriter}).
 *
 * <p>This package imports only {@code net} (how addresses are printed).
 */
@NullMarked
package io.lvspulse.config;

import org.jspecify.annotations.NullMarked;
