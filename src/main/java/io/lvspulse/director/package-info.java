/**
 * The director's policy between health and the kernel, as Seesaw's {@code engine} is to its {@code
 * ipvs}: how lvs.cf maps to IPVS services and destinations ({@link
 * io.lvspulse.director.ConfigTables}), the desired table from the monitor's server states with the
 * sorry-server timing ({@link io.lvspulse.director.DesiredTables}; ECMP mode's own policy: {@link
 * io.lvspulse.director.EcmpTables}), and the worker that keeps the kernel in step with it ({@link
 * io.lvspulse.director.IpvsController}); what a start adopts from the kernel's table ({@link
 * io.lvspulse.director.KernelAdoption}) and the IPVS sysctl policy ({@link
 * io.lvspulse.director.SysctlCheck}).
 *
 * <p>Imports {@code config}, {@code monitor}, {@code ipvs} and {@code net} only; {@code ipvs} knows
 * nothing of health or config.
 *
 * <p>Threads: a field shared between threads names its lock with {@code @GuardedBy} (Error Prone's
 * annotation); a field one thread owns says so in a comment ({@code // Scheduler thread only.}).
 */
@NullMarked
package io.lvspulse.director;

import org.jspecify.annotations.NullMarked;
