package io.lvspulse.director;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.IpvsReconciler;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.MonitorSnapshot;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps IPVS in step with the monitor: every snapshot becomes a desired table; one worker thread
 * reconciles the newest desired table (many state changes in a burst coalesce into one {@code
 * ipvsadm -R}), and runs a full reconcile every {@code fullReconcileEvery} to repair drift.
 *
 * <p>The managed set is every service of the desired table plus every service lvs-pulse managed
 * earlier in this run and that has left the config: those are deleted, then forgotten. Services
 * lvs-pulse never managed are never touched.
 *
 * <p>While {@linkplain #setActive inactive} (a backup director) nothing is programmed; the desired
 * table is still kept current, so a takeover programs the right weights at once, and the kernel's
 * table is read once a full-reconcile period to check that IPVS still answers.
 *
 * <p>Local health ({@link #localProblem()}): a director whose IPVS cannot be programmed (or, while
 * inactive, read) in {@code unhealthyAfter} consecutive passes, or whose pass has not returned for
 * {@code unhealthyAfter} full-reconcile periods (at least 10 s: a hanging ipvsadm), has a local
 * problem; the daemon hands it to the failover, whose partner then takes over.
 */
public final class IpvsController implements Consumer<MonitorSnapshot>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IpvsController.class);

  private final IpvsReconciler reconciler;
  private final Duration fullReconcileEvery;
  private final Object lock = new Object();
  private final Thread worker;

  // Shared by the monitor's publisher (accept), the failover actions thread (setActive,
  // awaitConverged), /status readers and the worker: all under lock, which the worker waits on.
  @GuardedBy("lock")
  private @Nullable IpvsTable desired;

  @GuardedBy("lock")
  private Set<ServiceKey> everManaged = new LinkedHashSet<>();

  @GuardedBy("lock")
  private List<String> onSorry = List.of();

  @GuardedBy("lock")
  private boolean dirty;

  @GuardedBy("lock")
  private boolean active;

  @GuardedBy("lock")
  private boolean closed;

  @GuardedBy("lock")
  private long generation;

  @GuardedBy("lock")
  private long appliedGeneration = -1;

  @GuardedBy("lock")
  private long passes;

  @GuardedBy("lock")
  private CompletableFuture<Void> convergence = new CompletableFuture<>();

  /** Failed passes in a row (reconciles while active, reads while inactive). */
  @GuardedBy("lock")
  private int consecutiveFailures;

  @GuardedBy("lock")
  private String lastFailure = "";

  /** System.nanoTime when the pass in progress started; 0 = none in progress. */
  @GuardedBy("lock")
  private long passStartedNanos;

  private final int unhealthyAfter;

  /** {@link #IpvsController(IpvsReconciler, Duration, boolean, int)} with 3 failed passes. */
  public IpvsController(IpvsReconciler reconciler, Duration fullReconcileEvery, boolean active) {
    this(reconciler, fullReconcileEvery, active, 3);
  }

  /**
   * @param unhealthyAfter failed passes in a row that make a local problem
   */
  public IpvsController(
      IpvsReconciler reconciler, Duration fullReconcileEvery, boolean active, int unhealthyAfter) {
    this.reconciler = Objects.requireNonNull(reconciler);
    this.fullReconcileEvery = fullReconcileEvery;
    this.active = active;
    if (unhealthyAfter < 1) {
      throw new IllegalArgumentException("unhealthyAfter must be at least 1");
    }
    this.unhealthyAfter = unhealthyAfter;
    this.worker = new Thread(this::run, "lvs-pulse-ipvs");
    this.worker.setDaemon(true);
  }

  /** Starts the worker thread. */
  public void start() {
    worker.start();
  }

  @Override
  public void accept(MonitorSnapshot snapshot) {
    DesiredTables.Desired d = DesiredTables.build(snapshot);
    synchronized (lock) {
      if (!d.onSorryServer().equals(onSorry)) {
        for (String v : d.onSorryServer()) {
          if (!onSorry.contains(v)) {
            log.info("virtual {}: no real server is up: sorry server added at weight 1", v);
          }
        }
        for (String v : onSorry) {
          if (!d.onSorryServer().contains(v)) {
            log.info("virtual {}: a real server is up again: sorry server removed", v);
          }
        }
        onSorry = d.onSorryServer();
      }
      if (d.table().equals(desired)) {
        return;
      }
      desired = d.table();
      everManaged.addAll(d.table().keys());
      generation++;
      dirty = true;
      updateConvergence();
      lock.notifyAll();
    }
  }

  /** Starts (true) or stops (false) programming IPVS; becoming active reconciles at once. */
  public void setActive(boolean on) {
    synchronized (lock) {
      if (active == on) {
        return;
      }
      active = on;
      dirty = on;
      lock.notifyAll();
    }
    log.info(
        on
            ? "IPVS programming enabled (active director)"
            : "IPVS programming paused (inactive director)");
  }

  /** Whether IPVS is being programmed. */
  public boolean active() {
    synchronized (lock) {
      return active;
    }
  }

  /** The newest desired table, if the monitor has published one. */
  public Optional<IpvsTable> desired() {
    synchronized (lock) {
      return Optional.ofNullable(desired);
    }
  }

  /** True when the newest desired table has been applied and verified. */
  public boolean converged() {
    synchronized (lock) {
      return convergedNow();
    }
  }

  /**
   * Waits until the newest desired table has been applied and verified (as {@link #converged()}
   * would say), at most {@code timeout}: the worker completes the future this waits on. Used on
   * activation, so IPVS is programmed before the VIPs come up.
   *
   * @return whether it converged within {@code timeout}
   * @throws InterruptedException the waiting thread was interrupted
   */
  public boolean awaitConverged(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> f;
    synchronized (lock) {
      updateConvergence();
      f = convergence;
    }
    try {
      f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // never completed exceptionally
    }
  }

  private boolean convergedNow() {
    return appliedGeneration == generation
        && reconciler.lastResult().map(IpvsReconciler.Result::converged).orElse(false);
  }

  /**
   * Completes the convergence future when converged; once it is done and convergence is lost (a new
   * desired table, a failed reconcile), starts a new one. Call under the lock after anything {@link
   * #converged()} reads has changed.
   */
  private void updateConvergence() {
    if (convergedNow()) {
      convergence.complete(null);
    } else if (convergence.isDone()) {
      convergence = new CompletableFuture<>();
    }
  }

  /**
   * Why this director cannot do its job, if so: IPVS failed {@code unhealthyAfter} passes in a row,
   * or a pass (a hanging ipvsadm) has not returned for {@code unhealthyAfter} full-reconcile
   * periods (at least 10 s). Never waits on a reconcile.
   */
  public Optional<String> localProblem() {
    synchronized (lock) {
      if (consecutiveFailures >= unhealthyAfter) {
        // stable while it lasts (the failover compares it): the error when it became a problem
        return Optional.of(
            "IPVS cannot be programmed: "
                + unhealthyAfter
                + " reconcile periods failed in a row ("
                + lastFailure
                + ")");
      }
      if (passStartedNanos != 0) {
        long stall = Math.max(fullReconcileEvery.toNanos() * unhealthyAfter, 10_000_000_000L);
        long running = System.nanoTime() - passStartedNanos;
        if (running > stall) {
          return Optional.of(
              "IPVS cannot be programmed: ipvsadm has not returned for "
                  + running / 1_000_000_000L
                  + " s");
        }
      }
      return Optional.empty();
    }
  }

  private void passStarted() {
    synchronized (lock) {
      passStartedNanos = System.nanoTime();
    }
  }

  private void passEnded(Optional<String> failure) {
    synchronized (lock) {
      passStartedNanos = 0;
      if (failure.isEmpty()) {
        if (consecutiveFailures >= unhealthyAfter) {
          log.info("IPVS answers again after {} failed reconcile periods", consecutiveFailures);
        }
        consecutiveFailures = 0;
      } else {
        consecutiveFailures++;
        if (consecutiveFailures <= unhealthyAfter) {
          lastFailure = failure.get();
        }
        if (consecutiveFailures == unhealthyAfter) {
          log.warn(
              "IPVS cannot be programmed: {} reconcile periods failed in a row: {}",
              consecutiveFailures,
              lastFailure);
        }
      }
    }
  }

  /** The last reconcile result. */
  public Optional<IpvsReconciler.Result> lastResult() {
    return reconciler.lastResult();
  }

  /** Worker wake-ups so far (each either reconciles or, while inactive, deliberately does not). */
  long passes() {
    synchronized (lock) {
      return passes;
    }
  }

  /** Virtual services currently served by their sorry server. */
  public List<String> onSorryServer() {
    synchronized (lock) {
      return onSorry;
    }
  }

  /**
   * Deletes every service this run manages from IPVS and stops programming (used by {@code
   * --cleanup-on-stop}). Blocks until done or failed.
   */
  public IpvsReconciler.Result withdraw() {
    Set<ServiceKey> keys;
    synchronized (lock) {
      active = false;
      keys = new HashSet<>(everManaged);
    }
    log.info("withdrawing {} managed IPVS services", keys.size());
    IpvsReconciler.Result r = reconciler.reconcile(IpvsTable.EMPTY, keys);
    synchronized (lock) {
      updateConvergence();
    }
    return r;
  }

  private void run() {
    long nextFull = System.nanoTime() + fullReconcileEvery.toNanos();
    while (true) {
      IpvsTable table;
      Set<ServiceKey> managed;
      long gen;
      boolean checkOnly = false;
      synchronized (lock) {
        while (!closed && !(active && dirty) && System.nanoTime() < nextFull) {
          long waitMs = Math.max(1, (nextFull - System.nanoTime()) / 1_000_000);
          try {
            lock.wait(waitMs);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        passes++;
        lock.notifyAll();
        boolean fullDue = System.nanoTime() >= nextFull;
        if (fullDue) {
          nextFull = System.nanoTime() + fullReconcileEvery.toNanos();
        }
        dirty = false;
        table = desired;
        managed = new LinkedHashSet<>(everManaged);
        gen = generation;
        if (!active || table == null) {
          if (!fullDue) {
            continue;
          }
          checkOnly = true; // nothing to program: check that IPVS answers
        }
      }
      if (checkOnly || table == null) {
        passStarted();
        try {
          reconciler.backend().read();
          passEnded(Optional.empty());
        } catch (IpvsException | RuntimeException e) {
          passEnded(Optional.of(String.valueOf(e.getMessage())));
        }
        continue;
      }
      passStarted();
      IpvsReconciler.Result r;
      try {
        r = reconciler.reconcile(table, managed);
      } catch (RuntimeException e) {
        log.error("IPVS reconcile failed unexpectedly; will retry", e);
        passEnded(Optional.of(e.toString()));
        synchronized (lock) {
          dirty = true;
        }
        sleepQuietly(1000);
        continue;
      }
      passEnded(r.converged() ? Optional.empty() : Optional.of(r.lastError().orElse("failed")));
      synchronized (lock) {
        if (r.converged()) {
          appliedGeneration = gen;
          // Services that left the config were deleted by this reconcile: stop managing them
          // (unless the newest desired table wants them back).
          for (ServiceKey k : managed) {
            if (!table.keys().contains(k) && (desired == null || !desired.keys().contains(k))) {
              everManaged.remove(k);
            }
          }
        } else {
          // Try again soon; the reconciler already backed off between its attempts.
          nextFull = Math.min(nextFull, System.nanoTime() + Duration.ofSeconds(2).toNanos());
        }
        updateConvergence();
      }
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    worker.interrupt();
    try {
      worker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
