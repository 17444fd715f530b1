/**
 * The kernel binding of IPVS: the table as immutable values, the {@code ipvsadm} language (render,
 * parse), the planner that diffs desired against actual, the backends ({@code ipvsadm}, dry-run)
 * and the reconciler.
 *
 * <p>Imports {@code exec} and {@code net} only: it knows nothing of lvs.cf or health ({@code
 * director} turns those into an {@link io.lvspulse.ipvs.IpvsTable}).
 */
@NullMarked
package io.lvspulse.ipvs;

import org.jspecify.annotations.NullMarked;
