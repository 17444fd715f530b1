/**
 * Runtime admin control of real servers (drain, maintenance, enable): the service that applies an
 * operator's change to the monitor, keeps it in the state file and relays it to the partner
 * director ({@link io.lvspulse.admin.AdminService}), the state file ({@link
 * io.lvspulse.admin.AdminStateFile}), the local control socket the CLI talks to ({@link
 * io.lvspulse.admin.ControlSocket}, {@link io.lvspulse.admin.ControlClient}) and the HTTP API's
 * token ({@link io.lvspulse.admin.ApiToken}).
 *
 * <p>Imports {@code config}, {@code monitor} and {@code net} only; the HTTP API ({@code http}) and
 * the partner relay ({@code failover}, wired by the daemon) sit on top of it.
 */
@NullMarked
package io.lvspulse.admin;

import org.jspecify.annotations.NullMarked;
