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
 * table is still kept current, so a takeover programs the right weights at once.
 *
 * <p>Local health ({@link #localProblem()}): a director whose IPVS cannot be programmed (or, while
 * inactive, read: the worker reads the kernel's table once a full-reconcile period to know) in
 * {@value #UNHEALTHY_AFTER} consecutive passes, or whose pass has not returned for {@value
 * #UNHEALTHY_AFTER} full-reconcile periods (at least 10 s: a hanging ipvsadm), has a local problem;
 * the daemon hands it to the failover, whose partner then takes over.
 *
 * <p>Nothing here waits on an exec except the worker: {@link #accept} (the monitor's thread), the
 * /status readers ({@link #converged()}, {@link #desired()}, {@link #lastResult()}) and {@link
 * #setActive} take only a short lock that the worker never holds while ipvsadm runs, so a hung
 * ipvsadm cannot freeze health monitoring. The worker plans against the newest desired table at
 * every attempt ({@link IpvsReconciler#reconcile(java.util.function.Supplier)}): a table that was
 * superseded while ipvsadm hung is never applied.
 *
 * <p>Reconciles are debounced: one starts at once when the last one started at least {@code
 * debounce} ago (a single change is applied without delay), else when that window ends, with
 * everything that changed meanwhile (flapping servers cost at most one reconcile per window).
 */
public final class IpvsController implements Consumer<MonitorSnapshot>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IpvsController.class);

  /** The default coalescing window between two reconcile starts. */
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);

  private final IpvsReconciler reconciler;
  private final Duration fullReconcileEvery;
  private final long debounceNanos;
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

  /** The target the worker last handed to the reconciler, and the generation it belongs to. */
  @GuardedBy("lock")
  private IpvsReconciler.@Nullable Target handedOut;

  @GuardedBy("lock")
  private long handedOutGeneration = -1;

  @GuardedBy("lock")
  private long passes;

  @GuardedBy("lock")
  private CompletableFuture<Void> convergence = new CompletableFuture<>();

  /** A controller with the {@linkplain #DEFAULT_DEBOUNCE default} debounce window. */
  /** Failed passes in a row that make a local problem. */
  public static final int UNHEALTHY_AFTER = 3;

  /** Failed passes in a row (reconciles while active, reads while inactive). */
  @GuardedBy("lock")
  private int consecutiveFailures;

  @GuardedBy("lock")
  private String lastFailure = "";

  /** System.nanoTime when the pass in progress started; 0 = none in progress. */
  @GuardedBy("lock")
  private long passStartedNanos;

  public IpvsController(IpvsReconciler reconciler, Duration fullReconcileEvery, boolean active) {
    this(reconciler, fullReconcileEvery, active, DEFAULT_DEBOUNCE);
  }

  /**
   * @param debounce least time between the starts of two reconciles (zero: none)
   */
  public IpvsController(
      IpvsReconciler reconciler, Duration fullReconcileEvery, boolean active, Duration debounce) {
    this.reconciler = Objects.requireNonNull(reconciler);
    this.fullReconcileEvery = fullReconcileEvery;
    if (debounce.isNegative()) {
      throw new IllegalArgumentException("negative debounce: " + debounce);
    }
    this.debounceNanos = debounce.toNanos();
    this.active = active;
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

  @GuardedBy("lock")
  private boolean convergedNow() {
    return appliedGeneration == generation
        && reconciler.lastResult().map(IpvsReconciler.Result::converged).orElse(false);
  }

  /**
   * Completes the convergence future when converged; once it is done and convergence is lost (a new
   * desired table, a failed reconcile), starts a new one. Call under the lock after anything {@link
   * #converged()} reads has changed.
   */
  @GuardedBy("lock")
  private void updateConvergence() {
    if (convergedNow()) {
      convergence.complete(null);
    } else if (convergence.isDone()) {
      convergence = new CompletableFuture<>();
    }
  }

  /**
   * Why this director cannot do its job, if so: IPVS failed {@value #UNHEALTHY_AFTER} passes in a
   * row, or a pass (a hanging ipvsadm) has not returned for {@value #UNHEALTHY_AFTER}
   * full-reconcile periods (at least 10 s). The text is stable while the problem lasts. Never waits
   * on a reconcile.
   */
  public Optional<String> localProblem() {
    synchronized (lock) {
      if (consecutiveFailures >= UNHEALTHY_AFTER) {
        return Optional.of(
            "IPVS cannot be programmed: "
                + UNHEALTHY_AFTER
                + " reconcile periods failed in a row ("
                + lastFailure
                + ")");
      }
      if (passStartedNanos != 0) {
        long stall = Math.max(fullReconcileEvery.toNanos() * UNHEALTHY_AFTER, 10_000_000_000L);
        long running = System.nanoTime() - passStartedNanos;
        if (running > stall) {
          return Optional.of(
              "IPVS cannot be programmed: ipvsadm has not returned for more than "
                  + stall / 1_000_000_000L
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
        if (consecutiveFailures >= UNHEALTHY_AFTER) {
          log.info("IPVS answers again after {} failed reconcile periods", consecutiveFailures);
        }
        consecutiveFailures = 0;
        return;
      }
      consecutiveFailures++;
      if (consecutiveFailures <= UNHEALTHY_AFTER) {
        lastFailure = failure.get();
      }
      if (consecutiveFailures == UNHEALTHY_AFTER) {
        log.warn(
            "IPVS cannot be programmed: {} reconcile periods failed in a row: {}",
            consecutiveFailures,
            lastFailure);
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

  /**
   * The newest target, for the reconciler to ask before every plan (on the worker thread, during a
   * reconcile): the lock is held only to read it.
   */
  private IpvsReconciler.Target newestTarget() {
    synchronized (lock) {
      if (handedOut == null || handedOutGeneration != generation) {
        IpvsTable table = desired == null ? IpvsTable.EMPTY : desired;
        handedOut = new IpvsReconciler.Target(table, new LinkedHashSet<>(everManaged));
        handedOutGeneration = generation;
      }
      return handedOut;
    }
  }

  private void run() {
    long nextFull = System.nanoTime() + fullReconcileEvery.toNanos();
    long lastStart = System.nanoTime() - debounceNanos;
    while (true) {
      boolean checkOnly = false;
      synchronized (lock) {
        while (true) {
          if (closed) {
            return;
          }
          long now = System.nanoTime();
          long windowEnds = lastStart + debounceNanos;
          boolean periodic = now - nextFull >= 0;
          boolean wanted = active && dirty;
          if (periodic || (wanted && now - windowEnds >= 0)) {
            break;
          }
          long until = wanted && windowEnds - nextFull < 0 ? windowEnds : nextFull;
          long waitMs = Math.max(1, (until - now + 999_999) / 1_000_000);
          try {
            lock.wait(waitMs);
          } catch (InterruptedException e) {
            return;
          }
        }
        passes++;
        lock.notifyAll();
        boolean fullDue = System.nanoTime() - nextFull >= 0;
        if (fullDue) {
          nextFull = System.nanoTime() + fullReconcileEvery.toNanos();
        }
        dirty = false;
        if (!active || desired == null) {
          if (!fullDue) {
            continue;
          }
          checkOnly = true; // nothing to program: check that IPVS answers
        }
      }
      passStarted();
      if (checkOnly) {
        try {
          reconciler.backend().read();
          passEnded(Optional.empty());
        } catch (IpvsException | RuntimeException e) {
          passEnded(Optional.of(String.valueOf(e.getMessage())));
        }
        continue;
      }
      lastStart = System.nanoTime();
      IpvsReconciler.Result r;
      try {
        r = reconciler.reconcile(this::newestTarget);
      } catch (RuntimeException e) {
        passEnded(Optional.of(e.toString()));
        log.error("IPVS reconcile failed unexpectedly; will retry", e);
        synchronized (lock) {
          dirty = true;
        }
        sleepQuietly(1000);
        continue;
      }
      passEnded(r.converged() ? Optional.empty() : Optional.of(r.lastError().orElse("failed")));
      synchronized (lock) {
        IpvsReconciler.Target applied = Objects.requireNonNull(handedOut);
        if (r.converged()) {
          appliedGeneration = handedOutGeneration;
          // Services that left the config were deleted by this reconcile: stop managing them
          // (unless the newest desired table wants them back).
          for (ServiceKey k : applied.managed()) {
            if (!applied.desired().keys().contains(k)
                && (desired == null || !desired.keys().contains(k))) {
              everManaged.remove(k);
              handedOut = null; // the next target no longer manages it
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
