package io.lvspulse.config;

import java.util.Optional;

/**
 * Global {@code reservation_conflict_action} (FOS shared SCSI only; parsed and kept, never used).
 */
public enum ReservationConflictAction implements Keyword {
  NOTHING("nothing"),
  PREEMPT("preempt");

  private final String keyword;

  ReservationConflictAction(String keyword) {
    this.keyword = keyword;
  }

  /** The lvs.cf spelling. */
  @Override
  public String keyword() {
    return keyword;
  }

  /** The value for an lvs.cf keyword. */
  public static Optional<ReservationConflictAction> fromKeyword(String s) {
    return Keyword.lookup(values(), s);
  }
}
