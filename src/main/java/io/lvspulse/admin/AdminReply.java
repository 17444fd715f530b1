package io.lvspulse.admin;

import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.ServerId;
import java.util.Optional;

/**
 * The answer to one admin change, for the CLI and the HTTP API.
 *
 * @param status how it went
 * @param message one line for the operator (what happened, or why not)
 * @param server the server it applied to
 * @param admin the server's admin state afterwards
 * @param partner what the partner director was told (for {@link Status#OK})
 * @param saved whether the state file was written (false when it could not be: the change still
 *     applies until the next restart)
 */
public record AdminReply(
    Status status,
    String message,
    Optional<ServerId> server,
    Optional<Admin> admin,
    Optional<PartnerRelay.Outcome> partner,
    boolean saved) {

  /** The closed set of outcomes, with their HTTP status. */
  public enum Status {
    OK(200),
    /** No such virtual service or real server (or it is not active). */
    NOT_FOUND(404),
    /** The request names a server ambiguously or badly. */
    BAD_REQUEST(400),
    /** The daemon cannot take changes now (starting or stopping). */
    UNAVAILABLE(503);

    private final int http;

    Status(int http) {
      this.http = http;
    }

    public int http() {
      return http;
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static AdminReply error(Status s, String message) {
    return new AdminReply(s, message, Optional.empty(), Optional.empty(), Optional.empty(), false);
  }
}
