package io.lvspulse.exec;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.apache.commons.exec.PumpStreamHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one runner every external command of lvs-pulse goes through (Apache Commons Exec).
 *
 * <p>Commands are argument lists, never passed to a shell. Each runs under a {@link
 * TreeKillingWatchdog}; stdout and stderr are captured up to the request's bound; the exit status
 * is never thrown as an exception but returned in an {@link ExecResult}. {@link #run} blocks;
 * {@link #start} returns a future that never completes exceptionally; {@link #launch} starts a
 * long-running process (a server for a benchmark) and returns an {@link ExecProcess} handle, under
 * the same watchdog.
 *
 * <p>A request {@linkplain ExecRequest#ownProcessGroup in its own process group} (untrusted health
 * check programs) runs under {@code setsid}; when the program ends, whatever its result, or its
 * watchdog fires, the whole group is killed before the output pipes are drained, so a child left
 * holding the pipe or a double-forked daemon neither survives nor keeps a pumper thread waiting.
 * {@link #killProcessGroups()} kills the groups still running (at stop).
 */
public final class ExecRunner {
  private static final Logger log = LoggerFactory.getLogger(ExecRunner.class);

  /** How long to wait for the output pumps once the process has ended (a leaked grandchild). */
  private static final Duration PUMP_STOP_TIMEOUT = Duration.ofSeconds(2);

  /** How setsid reports a program it cannot execute (then exit 126, or 127: not found). */
  private static final String SETSID_FAILED = "setsid: failed to execute ";

  /** How long {@link #launch} waits for the process to be running. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Executor asyncExecutor;

  /** The process groups of requests that are running ({@link ExecRequest#ownProcessGroup}). */
  private final java.util.Set<Long> liveGroups = java.util.concurrent.ConcurrentHashMap.newKeySet();

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

  /**
   * Starts {@code request} as a long-running process and returns once it runs. Its timeout is the
   * watchdog's bound on the whole life of the process (the tree is killed then); it must not have
   * stdin bytes (the handle's stdin stays open until {@link ExecProcess#closeStdin}).
   *
   * @throws IOException it could not be started (missing binary, permission, output file)
   */
  public ExecProcess launch(ExecRequest request, ExecProcess.Options options) throws IOException {
    if (request.stdin() != null) {
      throw new IllegalArgumentException("a launched process takes no stdin bytes");
    }
    ExecProcess.LineSink lines = null;
    OutputStream out;
    if (options.stdout() instanceof ExecProcess.Output.ToFile f) {
      out = Files.newOutputStream(f.file());
    } else if (options.stdout() instanceof ExecProcess.Output.Lines) {
      lines = new ExecProcess.LineSink();
      out = lines;
    } else {
      out = OutputStream.nullOutputStream();
    }
    PumpStreamHandler pumps =
        new PumpStreamHandler(out, options.mergeStderr() ? out : new NonClosing(System.err));
    pumps.setStopTimeout(PUMP_STOP_TIMEOUT);
    ExecProcess.Streams streams = new ExecProcess.Streams(pumps);
    TreeKillingWatchdog watchdog = new TreeKillingWatchdog(request.timeout().toMillis());
    DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
    executor.setWatchdog(watchdog);
    executor.setExitValues(null);
    ExecProcess p = new ExecProcess(request, watchdog, streams, lines, out);
    executor.execute(commandLine(request), environment(request), p.resultHandler());
    try {
      watchdog.started().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(
          request.display() + ": could not start: " + ExecProcess.rootMessage(e), e);
    } catch (TimeoutException e) {
      watchdog.destroyProcess();
      throw new IOException(request.display() + ": not started within " + START_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      watchdog.destroyProcess();
      throw new IOException(request.display() + ": interrupted while starting", e);
    }
    log.debug("{}: launched, pid {}", request.display(), p.pid());
    return p;
  }

  /**
   * Kills every process group of a request that is still running (SIGKILL); returns how many
   * processes were killed. For a stop: nothing started by a probe outlives the daemon.
   */
  public int killProcessGroups() {
    int killed = 0;
    for (Long pgid : java.util.List.copyOf(liveGroups)) {
      killed += ProcessGroups.kill(pgid);
    }
    return killed;
  }

  /** Runs {@code request} and waits for it (at most about its timeout). */
  public ExecResult run(ExecRequest request) {
    long t0 = System.nanoTime();
    boolean group = request.ownProcessGroup() && ProcessGroups.supported();
    CommandLine cl =
        commandLine(group ? ProcessGroups.isolated(request.command()) : request.command());
    BoundedBuffer out = new BoundedBuffer(request.maxOutputBytes());
    BoundedBuffer err = new BoundedBuffer(request.maxOutputBytes());
    byte[] in = request.stdin();
    PumpStreamHandler pumps =
        new PumpStreamHandler(out, err, new ByteArrayInputStream(in == null ? new byte[0] : in));
    pumps.setStopTimeout(PUMP_STOP_TIMEOUT);
    TreeKillingWatchdog watchdog =
        group
            ? new GroupTrackingWatchdog(request.timeout().toMillis())
            : new TreeKillingWatchdog(request.timeout().toMillis());
    ExecuteStreamHandler streams = group ? new GroupKillingStreams(pumps, watchdog) : pumps;
    DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
    executor.setWatchdog(watchdog);
    executor.setExitValues(null); // a non-zero status is a result, not an exception
    int exit;
    try {
      exit = executor.execute(cl, environment(request));
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
    String errText = err.text();
    if (group && !timedOut && (exit == 126 || exit == 127) && errText.startsWith(SETSID_FAILED)) {
      // setsid ran but could not exec the program: as Java reports a program it cannot start
      ExecResult r =
          new ExecResult(
              request.command(),
              -1,
              false,
              ExecResult.firstLine(errText.substring("setsid: ".length())),
              "",
              "",
              false,
              Duration.ofNanos(System.nanoTime() - t0),
              request.timeout());
      log.debug("{}: {}", request.display(), r.describe());
      return r;
    }
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

  private static CommandLine commandLine(ExecRequest request) {
    return commandLine(request.command());
  }

  private static CommandLine commandLine(java.util.List<String> command) {
    CommandLine cl = new CommandLine(command.get(0));
    for (String arg : command.subList(1, command.size())) {
      cl.addArgument(arg, false);
    }
    return cl;
  }

  /** The watchdog of a process-group request: tracks the group while it runs. */
  private final class GroupTrackingWatchdog extends TreeKillingWatchdog {
    GroupTrackingWatchdog(long timeoutMillis) {
      super(timeoutMillis, true);
    }

    @Override
    public synchronized void start(Process process) {
      liveGroups.add(process.pid());
      super.start(process);
    }
  }

  /**
   * The pumps of a process-group request. Commons Exec stops the stream handler once the process
   * has ended and before it drains the pipes: the whole group is killed first, so whatever the
   * program left behind dies and closes its ends of the pipes, and the pumper threads end.
   */
  private final class GroupKillingStreams implements ExecuteStreamHandler {
    private final PumpStreamHandler pumps;
    private final TreeKillingWatchdog watchdog;

    GroupKillingStreams(PumpStreamHandler pumps, TreeKillingWatchdog watchdog) {
      this.pumps = pumps;
      this.watchdog = watchdog;
    }

    @Override
    public void setProcessInputStream(OutputStream os) throws IOException {
      pumps.setProcessInputStream(os);
    }

    @Override
    public void setProcessOutputStream(java.io.InputStream is) {
      pumps.setProcessOutputStream(is);
    }

    @Override
    public void setProcessErrorStream(java.io.InputStream is) {
      pumps.setProcessErrorStream(is);
    }

    @Override
    public void start() {
      pumps.start();
    }

    @Override
    public void stop() throws IOException {
      Process p = watchdog.started().getNow(null);
      if (p != null) {
        int killed = ProcessGroups.kill(p.pid());
        liveGroups.remove(p.pid());
        if (killed > 0) {
          log.debug("{}: killed {} process(es) left in its process group", p.pid(), killed);
        }
      }
      pumps.stop();
    }
  }

  /** The JVM's environment plus the request's, or null (inherit) when it adds nothing. */
  private static @Nullable Map<String, String> environment(ExecRequest request) {
    if (request.environment().isEmpty()) {
      return null;
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(request.environment());
    return env;
  }

  /** The JVM's stderr for a child's stderr pump, never closed by it. */
  private static final class NonClosing extends FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
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
