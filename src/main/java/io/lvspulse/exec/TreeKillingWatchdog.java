package io.lvspulse.exec;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.Watchdog;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ExecuteWatchdog} that, on timeout, kills the whole process tree and not only the direct
 * child.
 *
 * <p>Commons Exec's watchdog calls {@code Process.destroy()} on the direct child only: with {@code
 * sh -c "sleep 6"} and a 1 s watchdog the shell dies, but {@code sleep} keeps the stdout pipe open
 * and the executor returns only after 6 s (build-facts.md). Like keepalived's MISC_CHECK, which
 * kills the process group, this watchdog takes a snapshot of {@link ProcessHandle#descendants()}
 * while the child is still alive (once it dies its children are re-parented and can no longer be
 * found) and kills all of them with SIGKILL.
 */
class TreeKillingWatchdog extends ExecuteWatchdog {
  @GuardedBy("this")
  private @Nullable Process process;

  private final CompletableFuture<Process> started = new CompletableFuture<>();
  private final boolean processGroup;

  TreeKillingWatchdog(long timeoutMillis) {
    this(timeoutMillis, false);
  }

  /**
   * @param processGroup the process leads its own process group ({@code setsid}): a timeout kills
   *     the whole group too
   */
  @SuppressWarnings("deprecation") // the Builder cannot be subclassed; this constructor can
  TreeKillingWatchdog(long timeoutMillis, boolean processGroup) {
    super(timeoutMillis);
    this.processGroup = processGroup;
  }

  @Override
  public synchronized void start(Process process) {
    this.process = process;
    super.start(process);
    started.complete(process);
  }

  @Override
  public synchronized void failedToStart(Exception e) {
    super.failedToStart(e);
    started.completeExceptionally(e);
  }

  /** Completes with the process once it runs, or exceptionally when it could not be started. */
  CompletableFuture<Process> started() {
    return started;
  }

  @Override
  public synchronized void timeoutOccured(Watchdog w) {
    Process p = process;
    List<ProcessHandle> tree = p == null ? List.of() : p.descendants().toList();
    // super marks the process as killed (killedProcess() = true) and sends SIGTERM to the child
    super.timeoutOccured(w);
    if (p != null && killedProcess()) {
      for (ProcessHandle h : tree) {
        h.destroyForcibly();
      }
      p.destroyForcibly();
      if (processGroup) {
        ProcessGroups.kill(p.pid());
      }
    }
  }
}
