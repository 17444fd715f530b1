/** Benchmarks run from the command line ({@code lvs-pulse bench ...}); speed is measured here, never in timed unit tests. */
@org.jspecify.annotations.NullMarked
package io.lvspulse.bench;
