package io.lvspulse.ipvs;

import java.util.Locale;

/** The connection sync daemon's role ({@code --start-daemon master|backup}). */
public enum SyncDaemonRole {
  MASTER,
  BACKUP;

  /** {@code master} or {@code backup}. */
  public String arg() {
    return name().toLowerCase(Locale.ROOT);
  }
}
