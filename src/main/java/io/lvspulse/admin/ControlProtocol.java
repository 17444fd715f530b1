package io.lvspulse.admin;

import io.lvspulse.monitor.AdminState;
import java.util.Optional;

/**
 * The control socket's wire format: one request line from the client, one reply line from the
 * daemon, then the daemon closes the connection. UTF-8, fields separated by one TAB, each field
 * escaped as in the state file ({@code %XX} for {@code %}, TAB, CR, LF and other control
 * characters):
 *
 * <pre>
 * request:  lvs-pulse-control 1 TAB STATE TAB VIRTUAL TAB SERVER LF
 * reply:    STATUS TAB PARTNER TAB MESSAGE LF
 * </pre>
 *
 * {@code STATE} is {@code drain}, {@code maintenance} or {@code enabled}; {@code STATUS} is {@code
 * ok}, {@code not_found}, {@code bad_request} or {@code unavailable}; {@code PARTNER} is what the
 * partner director was told ({@link PartnerRelay.Outcome#label()}) or {@code -}.
 */
final class ControlProtocol {
  static final String MAGIC = "lvs-pulse-control 1";

  /** A request line is at most this long (names are short). */
  static final int MAX_LINE = 4096;

  private ControlProtocol() {}

  record Request(AdminState state, String virtual, String server) {}

  record Reply(String status, String partner, String message) {}

  static String request(AdminState state, String virtual, String server) {
    return MAGIC
        + "\t"
        + state.label()
        + "\t"
        + AdminStateFile.escape(virtual)
        + "\t"
        + AdminStateFile.escape(server)
        + "\n";
  }

  static Optional<Request> parseRequest(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 4 || !f[0].equals(MAGIC)) {
      return Optional.empty();
    }
    Optional<AdminState> s = AdminState.parse(f[1]);
    try {
      return s.map(
          st -> new Request(st, AdminStateFile.unescape(f[2]), AdminStateFile.unescape(f[3])));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static String reply(String status, String partner, String message) {
    return status + "\t" + partner + "\t" + AdminStateFile.escape(message) + "\n";
  }

  static Optional<Reply> parseReply(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Reply(f[0], f[1], AdminStateFile.unescape(f[2])));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
