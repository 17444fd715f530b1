package io.lvspulse.ipvs;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the kernel's table match the desired one for the services lvs-pulse manages.
 *
 * <p>One {@link #reconcile} reads the actual table, plans the minimal commands ({@link
 * IpvsPlanner}), applies them as one batch, reads the table again and plans again: it has converged
 * when nothing is left to do. Otherwise it waits (exponential backoff, injected {@link Sleeper})
 * and tries again, up to {@link RetryPolicy#maxAttempts()}; then it gives up for now and returns
 * the failure. A failing ipvsadm is never fatal: nothing here throws; the next call (a state change
 * or the periodic full reconcile of {@link #schedulePeriodic}) tries again, so the table converges
 * once ipvsadm works again. The periodic reconcile also repairs drift, such as an operator's manual
 * {@code ipvsadm -d} of a managed real server; services outside the managed set are never touched.
 *
 * <p>The plan is never stale: a caller whose desired table changes while a reconcile runs (a hung
 * ipvsadm, its retries) passes a {@linkplain #reconcile(Supplier) source} of the newest {@link
 * Target}; every attempt plans against the newest one after its read (the step that may hang), so
 * an older plan is never applied after a newer one is known. A reconcile has converged when the
 * table is as the plan it applied wanted; a target that changed meanwhile is the caller's next
 * reconcile.
 *
 * <p>Every backend call is counted and timed ({@link MeteredIpvsBackend}); each reconcile counts
 * {@code lvs_pulse_ipvs_reconciles_total{result="converged|failed"}}. Thread-safe (one reconcile at
 * a time); {@link #lastResult()} never waits for a running reconcile.
 */
public final class IpvsReconciler {
  private static final Logger log = LoggerFactory.getLogger(IpvsReconciler.class);

  /** Micrometer name of the reconcile counter (Prometheus adds {@code _total}). */
  public static final String RECONCILES = "lvs_pulse_ipvs_reconciles";

  private static final String RECONCILES_HELP =
      "IPVS reconciles (read, diff, apply, verify), by result";

  /** Waits between attempts; tests inject one that only records. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    /** {@link Thread#sleep}. */
    static Sleeper real() {
      return d -> Thread.sleep(d.toMillis());
    }
  }

  /**
   * How often and how patiently to try within one reconcile.
   *
   * @param maxAttempts attempts per reconcile, at least 1
   * @param initialBackoff wait after the first failed attempt; doubles after each further one
   * @param maxBackoff upper bound of a wait
   */
  public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    /** 4 attempts, waiting 0.5 s, 1 s, 2 s. */
    public static final RetryPolicy DEFAULT =
        new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(5));

    public RetryPolicy {
      if (maxAttempts < 1
          || initialBackoff.isNegative()
          || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("bad retry policy");
      }
    }

    /** The wait after failed attempt number {@code failed} (1-based). */
    public Duration backoff(int failed) {
      Duration d = initialBackoff;
      for (int i = 1; i < failed && d.compareTo(maxBackoff) < 0; i++) {
        d = d.multipliedBy(2);
      }
      return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
  }

  /**
   * The outcome of one reconcile.
   *
   * @param converged the managed part of the kernel's table now equals the desired one
   * @param attempts attempts made
   * @param sent every command sent to the backend, over all attempts
   * @param remaining commands still needed when it gave up (empty when converged)
   * @param lastError the last failure, if any (also set when a later attempt converged)
   */
  public record Result(
      boolean converged,
      int attempts,
      List<IpvsCommand> sent,
      List<IpvsCommand> remaining,
      Optional<String> lastError) {
    public Result {
      sent = List.copyOf(sent);
      remaining = List.copyOf(remaining);
    }
  }

  /**
   * What a reconcile aims at: the desired table of the managed services.
   *
   * @param desired the table wanted for the managed services
   * @param managed the services lvs-pulse manages (a superset of the desired table's)
   */
  public record Target(IpvsTable desired, Set<ServiceKey> managed) {
    public Target {
      Objects.requireNonNull(desired, "desired");
      managed = Set.copyOf(managed);
      IpvsPlanner.plan(desired, IpvsTable.EMPTY, managed); // validates: desired ⊆ managed
    }

    /** Nothing desired, nothing managed. */
    public static final Target NONE = new Target(IpvsTable.EMPTY, Set.of());
  }

  private final IpvsBackend backend;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final Counter converged;
  private final Counter failed;

  @GuardedBy("this")
  private Supplier<Target> source = () -> Target.NONE;

  /** Written at the end of a reconcile, read without waiting for the next one (/status). */
  private volatile @Nullable Result last;

  /**
   * @param backend the backend; calls are counted and timed in {@code registry} (once: a backend
   *     already counted there is not wrapped again)
   */
  public IpvsReconciler(
      IpvsBackend backend, MeterRegistry registry, RetryPolicy retry, Sleeper sleeper) {
    this.backend = MeteredIpvsBackend.of(backend, registry);
    this.retry = retry;
    this.sleeper = sleeper;
    this.converged =
        Counter.builder(RECONCILES)
            .description(RECONCILES_HELP)
            .tag("result", "converged")
            .register(registry);
    this.failed =
        Counter.builder(RECONCILES)
            .description(RECONCILES_HELP)
            .tag("result", "failed")
            .register(registry);
  }

  /** The metered backend, for {@code --set} and the sync daemon (counted like everything else). */
  public IpvsBackend backend() {
    return backend;
  }

  /** Sets what the next reconciles aim at. */
  public synchronized void setDesired(IpvsTable desired, Set<ServiceKey> managed) {
    Target t = new Target(desired, managed);
    this.source = () -> t;
  }

  /** Sets the desired table and reconciles at once. */
  public synchronized Result reconcile(IpvsTable desired, Set<ServiceKey> managed) {
    setDesired(desired, managed);
    return reconcile();
  }

  /**
   * Reconciles towards the newest target of {@code targets}, asked again before every plan (it is
   * called on this thread while the reconcile runs: it must not wait for anything that waits for
   * this reconcile). Later calls of {@link #reconcile()} keep using it.
   */
  public synchronized Result reconcile(Supplier<Target> targets) {
    this.source = Objects.requireNonNull(targets, "targets");
    return reconcile();
  }

  /** The last result, if any reconcile ran; never waits for a running reconcile. */
  public Optional<Result> lastResult() {
    return Optional.ofNullable(last);
  }

  /**
   * Runs {@link #reconcile()} every {@code period} on {@code scheduler} (the full reconcile that
   * repairs drift). Cancel the returned future to stop.
   */
  public ScheduledFuture<?> schedulePeriodic(ScheduledExecutorService scheduler, Duration period) {
    return scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            reconcile();
          } catch (RuntimeException e) {
            log.error("ipvs: periodic reconcile failed unexpectedly", e);
          }
        },
        period.toMillis(),
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Reconciles towards the last desired table; never throws for backend failures. */
  public synchronized Result reconcile() {
    List<IpvsCommand> sent = new ArrayList<>();
    String lastError = null;
    List<IpvsCommand> remaining = List.of();
    IpvsTable actual = null;
    Target planned = null; // the target of the last plan
    int attempt = 0;
    while (attempt < retry.maxAttempts()) {
      attempt++;
      try {
        if (actual == null) {
          actual = backend.read();
        }
        // the newest plan, asked after the read: a read that hung must not apply an older one
        Target target = source.get();
        planned = target;
        List<IpvsCommand> plan = IpvsPlanner.plan(target.desired(), actual, target.managed());
        if (plan.isEmpty()) {
          return finish(new Result(true, attempt, sent, List.of(), Optional.ofNullable(lastError)));
        }
        log.info(
            "ipvs: applying {} command(s) via {}: {}", plan.size(), backend.name(), lines(plan));
        sent.addAll(plan);
        IpvsException applyError = null;
        try {
          backend.apply(plan);
        } catch (IpvsException e) {
          applyError = e;
        }
        actual = null;
        actual = backend.read();
        // verified against the plan applied: a newer target is the caller's next reconcile
        remaining = IpvsPlanner.plan(target.desired(), actual, target.managed());
        if (remaining.isEmpty()) {
          if (applyError != null) {
            log.warn(
                "ipvs: batch reported an error but the table is as desired: {}",
                applyError.getMessage());
          }
          return finish(new Result(true, attempt, sent, List.of(), Optional.ofNullable(lastError)));
        }
        lastError =
            (applyError != null ? applyError.getMessage() + "; " : "")
                + remaining.size()
                + " command(s) still needed: "
                + lines(remaining);
      } catch (IpvsException e) {
        lastError = e.getMessage();
        actual = null;
      }
      if (attempt < retry.maxAttempts()) {
        Duration wait = retry.backoff(attempt);
        log.warn(
            "ipvs: attempt {}/{} failed, retrying in {} ms: {}",
            attempt,
            retry.maxAttempts(),
            wait.toMillis(),
            lastError);
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (actual != null && planned != null) {
      remaining = IpvsPlanner.plan(planned.desired(), actual, planned.managed());
    }
    log.error(
        "ipvs: table not converged after {} attempt(s), will retry on the next reconcile: {}",
        attempt,
        lastError);
    return finish(new Result(false, attempt, sent, remaining, Optional.ofNullable(lastError)));
  }

  private Result finish(Result r) {
    (r.converged() ? converged : failed).increment();
    last = r;
    return r;
  }

  private static String lines(List<IpvsCommand> cmds) {
    StringBuilder sb = new StringBuilder();
    for (IpvsCommand c : cmds) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(c.line());
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "IpvsReconciler[" + Objects.toString(backend.name()) + "]";
  }
}
