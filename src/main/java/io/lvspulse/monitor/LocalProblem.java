package io.lvspulse.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A fault of this director that keeps probes from checking servers (out of file descriptors, socket
 * buffers or memory): while it lasts, probe results say nothing about the servers, which keep their
 * state.
 *
 * @param reason the message of the first local error (for example {@code Cannot open UDP socket:
 *     Too many open files})
 * @param since when the first local error of this episode arrived
 * @param lastSeen when the latest one arrived
 * @param errors local errors in this episode
 */
public record LocalProblem(String reason, Instant since, Instant lastSeen, long errors) {
  public LocalProblem {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(lastSeen, "lastSeen");
  }

  /** The same episode with one more error at {@code at}. */
  LocalProblem seenAgain(Instant at) {
    return new LocalProblem(reason, since, at, errors == Long.MAX_VALUE ? errors : errors + 1);
  }
}
