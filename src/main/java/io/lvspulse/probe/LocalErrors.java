package io.lvspulse.probe;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;

/**
 * Tells a fault of this director (a resource it ran out of) from a failure of the probed server.
 * Java reports {@code errno} only as the C library's message ({@code "Too many open files"} for
 * EMFILE), so the messages of the whole cause chain are compared with strerror's words.
 */
public final class LocalErrors {
  /** strerror(3) texts of the errors that are this host's fault, in lower case. */
  private static final List<String> LOCAL_MESSAGES =
      List.of(
          "too many open files", // EMFILE, and ENFILE's "too many open files in system"
          "no buffer space available", // ENOBUFS
          "cannot allocate memory", // ENOMEM
          "resource temporarily unavailable", // EAGAIN from fork: process limit
          "out of memory");

  private LocalErrors() {}

  /** Whether {@code e} (or any of its causes) is a local resource fault. */
  public static boolean isLocal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfMemoryError || t instanceof RejectedExecutionException) {
        return true;
      }
      if (isLocalMessage(t.getMessage())) {
        return true;
      }
    }
    return false;
  }

  /** Whether an error text (such as a failed exec's start failure) names a local fault. */
  public static boolean isLocalMessage(@org.jspecify.annotations.Nullable String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    for (String local : LOCAL_MESSAGES) {
      if (m.contains(local)) {
        return true;
      }
    }
    return false;
  }
}
