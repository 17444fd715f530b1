/**
 * The Prometheus registry (Micrometer) with JVM and process metrics; each layer registers its own
 * meters on it.
 */
@NullMarked
package io.lvspulse.metrics;

import org.jspecify.annotations.NullMarked;
