package io.lvspulse.config;

import java.util.Optional;

/** Global {@code reservation_conflict_action} (FOS shared SCSI only; parsed and kept, never used). */
public enum ReservationConflictAction {
  NOTHING("nothing"),
  PREEMPT("preempt");

  private final String keyword;

  ReservationConflictAction(String keyword) {
    this.keyword = keyword;
  }

  /** The lvs.cf spelling. */
  public String keyword() {
    return keyword;
  }

  /** The value for an lvs.cf keyword. */
  public static Optional<ReservationConflictAction> fromKeyword(String s) {
    for (ReservationConflictAction a : values()) {
      if (a.keyword.equals(s)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
