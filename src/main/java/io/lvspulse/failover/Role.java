package io.lvspulse.failover;

import java.util.Locale;

/** Which director of the pair this is: the {@code primary} or the {@code backup} of lvs.cf. */
public enum Role {
  PRIMARY,
  BACKUP;

  /** {@code primary} or {@code backup}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The other director's role. */
  public Role partner() {
    return this == PRIMARY ? BACKUP : PRIMARY;
  }
}
