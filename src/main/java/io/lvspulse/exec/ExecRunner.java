package io.lvspulse.exec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.PumpStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one runner every external command of lvs-pulse goes through (Apache Commons Exec).
 *
 * <p>Commands are argument lists, never passed to a shell. Each runs under a {@link
 * TreeKillingWatchdog}; stdout and stderr are captured up to the request's bound; the exit status
 * is never thrown as an exception but returned in an {@link ExecResult}. {@link #run} blocks;
 * {@link #start} returns a future that never completes exceptionally.
 */
public final class ExecRunner {
  private static final Logger log = LoggerFactory.getLogger(ExecRunner.class);

  /** How long to wait for the output pumps once the process has ended (a leaked grandchild). */
  private static final Duration PUMP_STOP_TIMEOUT = Duration.ofSeconds(2);

  private final Executor asyncExecutor;

  /** A runner whose {@link #start} uses its own daemon threads. */
  public ExecRunner() {
    this(defaultPool());
  }

  /** A runner whose {@link #start} runs commands on {@code asyncExecutor}. */
  public ExecRunner(Executor asyncExecutor) {
    this.asyncExecutor = asyncExecutor;
  }

  private static ExecutorService defaultPool() {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf =
        r -> {
          Thread t = new Thread(r, "exec-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    return Executors.newCachedThreadPool(tf);
  }

  /** Starts {@code request} asynchronously; the future always completes normally. */
  public CompletableFuture<ExecResult> start(ExecRequest request) {
    CompletableFuture<ExecResult> f = new CompletableFuture<>();
    try {
      asyncExecutor.execute(
          () -> {
            try {
              f.complete(run(request));
            } catch (RuntimeException | Error e) {
              f.complete(startFailed(request, e, 0));
            }
          });
    } catch (RuntimeException e) { // RejectedExecutionException
      f.complete(startFailed(request, e, 0));
    }
    return f;
  }

  /** Runs {@code request} and waits for it (at most about its timeout). */
  public ExecResult run(ExecRequest request) {
    long t0 = System.nanoTime();
    CommandLine cl = new CommandLine(request.command().get(0));
    for (String arg : request.command().subList(1, request.command().size())) {
      cl.addArgument(arg, false);
    }
    BoundedBuffer out = new BoundedBuffer(request.maxOutputBytes());
    BoundedBuffer err = new BoundedBuffer(request.maxOutputBytes());
    byte[] in = request.stdin();
    PumpStreamHandler streams =
        new PumpStreamHandler(out, err, new ByteArrayInputStream(in == null ? new byte[0] : in));
    streams.setStopTimeout(PUMP_STOP_TIMEOUT);
    TreeKillingWatchdog watchdog = new TreeKillingWatchdog(request.timeout().toMillis());
    DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
    executor.setWatchdog(watchdog);
    executor.setExitValues(null); // a non-zero status is a result, not an exception
    Map<String, String> env = null;
    if (!request.environment().isEmpty()) {
      env = new HashMap<>(System.getenv());
      env.putAll(request.environment());
    }
    int exit;
    try {
      exit = executor.execute(cl, env);
    } catch (IOException e) {
      if (watchdog.killedProcess()) {
        exit = -1;
      } else {
        ExecResult r = startFailed(request, e, System.nanoTime() - t0);
        log.debug("{}: {}", request.display(), r.describe());
        return r;
      }
    }
    boolean timedOut = watchdog.killedProcess();
    ExecResult r =
        new ExecResult(
            request.command(),
            timedOut ? -1 : exit,
            timedOut,
            null,
            out.text(),
            err.text(),
            out.truncated() || err.truncated(),
            Duration.ofNanos(System.nanoTime() - t0),
            request.timeout());
    log.debug("{}: {} in {} ms", request.display(), r.describe(), r.duration().toMillis());
    return r;
  }

  private static ExecResult startFailed(ExecRequest request, Throwable e, long nanos) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ExecResult(
        request.command(),
        -1,
        false,
        msg,
        "",
        "",
        false,
        Duration.ofNanos(nanos),
        request.timeout());
  }
}
