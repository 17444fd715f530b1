/**
 * The IPVS table as immutable values, the {@code ipvsadm} language (render, parse), the planner
 * that diffs desired against actual, the backends ({@code ipvsadm}, dry-run) and the reconciler.
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.ipvs;
