package io.lvspulse.exec;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.apache.commons.exec.PumpStreamHandler;
import org.jspecify.annotations.Nullable;

/**
 * A long-running external command started by {@link ExecRunner#launch}, such as a server a
 * benchmark needs for minutes. The guarantees of {@link ExecRunner#run} hold: an argument list,
 * never a shell; the request's timeout is the watchdog's bound on the whole life of the process,
 * after which the process tree is killed; the exit status is a result, never an exception.
 *
 * <p>Its stdin is a pipe that stays open until {@link #closeStdin()} (or the end); its stdout goes
 * where {@link Options} says, and its stderr with it or to the JVM's stderr. {@link #stop} asks it
 * to end (SIGTERM) and kills the whole tree when it has not after a grace time.
 */
public final class ExecProcess implements AutoCloseable {
  /** Lines kept for {@link #readLine} that nobody read yet; later ones are dropped. */
  static final int MAX_QUEUED_LINES = 10_000;

  /** How long {@link #stop} waits for the end after killing the tree. */
  private static final Duration AFTER_KILL = Duration.ofSeconds(10);

  /** Where the process's stdout goes. */
  public sealed interface Output {
    /** Read and dropped. */
    record Discard() implements Output {}

    /** Written to {@code file} (created or truncated). */
    record ToFile(Path file) implements Output {}

    /** Split into lines for {@link ExecProcess#readLine}. */
    record Lines() implements Output {}
  }

  /**
   * How a launched process's output is handled.
   *
   * @param stdout where stdout goes
   * @param mergeStderr stderr goes with stdout; else to the JVM's stderr
   */
  public record Options(Output stdout, boolean mergeStderr) {
    public Options {
      Objects.requireNonNull(stdout);
    }

    /** stdout and stderr both dropped. */
    public static Options discard() {
      return new Options(new Output.Discard(), true);
    }

    /** stdout and stderr both written to {@code file}. */
    public static Options toFile(Path file) {
      return new Options(new Output.ToFile(file), true);
    }

    /** stdout as lines for {@link ExecProcess#readLine}; stderr to the JVM's stderr. */
    public static Options lines() {
      return new Options(new Output.Lines(), false);
    }
  }

  private final ExecRequest request;
  private final TreeKillingWatchdog watchdog;
  private final Streams streams;
  private final @Nullable LineSink lines;
  private final OutputStream out;
  private final long startNanos = System.nanoTime();
  private final CompletableFuture<ExecResult> exit = new CompletableFuture<>();

  ExecProcess(
      ExecRequest request,
      TreeKillingWatchdog watchdog,
      Streams streams,
      @Nullable LineSink lines,
      OutputStream out) {
    this.request = request;
    this.watchdog = watchdog;
    this.streams = streams;
    this.lines = lines;
    this.out = out;
  }

  /** The process id. */
  public long pid() {
    return process().pid();
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process().isAlive();
  }

  /** The exit status once the process has ended (as {@link Process#exitValue}), else empty. */
  public OptionalInt exitCode() {
    Process p = process();
    return p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue());
  }

  /**
   * The next line of stdout ({@link Output.Lines} only), without its newline; empty when none came
   * within {@code timeout}.
   */
  public Optional<String> readLine(Duration timeout) throws InterruptedException {
    if (lines == null) {
      throw new IllegalStateException("stdout is not read as lines: " + request.display());
    }
    return Optional.ofNullable(lines.queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
  }

  /** Closes the process's stdin (it reads end of file). */
  public void closeStdin() {
    streams.closeStdin();
  }

  /** Completes with the result when the process has ended (never exceptionally). */
  public CompletableFuture<ExecResult> onExit() {
    return exit;
  }

  /** Waits at most {@code timeout} for the end; true if it ended. */
  public boolean waitFor(Duration timeout) throws InterruptedException {
    try {
      exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // never completed exceptionally
    }
  }

  /**
   * Asks the process to end (SIGTERM), waits at most {@code grace}, then kills the whole process
   * tree (SIGKILL) and waits for the end. Returns the result, or empty if the process outlived even
   * that (a process in uninterruptible sleep).
   */
  public Optional<ExecResult> stop(Duration grace) throws InterruptedException {
    if (!exit.isDone()) {
      process().destroy();
      if (!waitFor(grace)) {
        watchdog.destroyProcess(); // the tree, as on a timeout
        waitFor(AFTER_KILL);
      }
    }
    closeStdin();
    return Optional.ofNullable(exit.getNow(null));
  }

  /** {@link #stop} with a 10 s grace time. */
  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(10));
  }

  /** The process; {@link ExecRunner#launch} returns only once it runs. */
  private Process process() {
    return watchdog.started().join();
  }

  /** Completes {@link #onExit} (from Commons Exec's thread once the output is drained). */
  ExecuteResultHandler resultHandler() {
    return new ExecuteResultHandler() {
      @Override
      public void onProcessComplete(int exitValue) {
        finish(exitValue, null);
      }

      @Override
      public void onProcessFailed(ExecuteException e) {
        finish(e.getExitValue(), e);
      }
    };
  }

  private void finish(int exitValue, @Nullable Exception failure) {
    closeQuietly(out);
    streams.closeStdin();
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    boolean started = watchdog.started().isDone() && !watchdog.started().isCompletedExceptionally();
    if (!started) {
      watchdog.started().completeExceptionally(failure == null ? new IOException("?") : failure);
      String why = failure == null ? "not started" : rootMessage(failure);
      exit.complete(
          new ExecResult(
              request.command(), -1, false, why, "", "", false, took, request.timeout()));
      return;
    }
    boolean timedOut = watchdog.killedProcess();
    exit.complete(
        new ExecResult(
            request.command(),
            timedOut ? -1 : exitValue,
            timedOut,
            null,
            "",
            "",
            false,
            took,
            request.timeout()));
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static void closeQuietly(@Nullable OutputStream s) {
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do: the process has ended
    }
  }

  /**
   * Pumps stdout and stderr like {@link PumpStreamHandler}, but keeps the process's stdin open for
   * {@link #closeStdin} instead of closing it at once.
   */
  static final class Streams implements ExecuteStreamHandler {
    private final PumpStreamHandler pumps;

    @GuardedBy("this")
    private @Nullable OutputStream stdin;

    @GuardedBy("this")
    private boolean stdinClosed;

    Streams(PumpStreamHandler pumps) {
      this.pumps = pumps;
    }

    @Override
    public synchronized void setProcessInputStream(OutputStream os) {
      if (stdinClosed) {
        closeQuietly(os);
      } else {
        stdin = os;
      }
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
      pumps.stop();
    }

    synchronized void closeStdin() {
      stdinClosed = true;
      closeQuietly(stdin);
      stdin = null;
    }
  }

  /** Splits what it is given into UTF-8 lines for {@link #readLine}. */
  static final class LineSink extends OutputStream {
    private static final int MAX_LINE = 64 * 1024;
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>(MAX_QUEUED_LINES);

    @GuardedBy("this")
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        queue.offer(current.toString(StandardCharsets.UTF_8));
        current.reset();
      } else if (current.size() < MAX_LINE) {
        current.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public synchronized void close() {
      if (current.size() > 0) {
        queue.offer(current.toString(StandardCharsets.UTF_8));
        current.reset();
      }
    }
  }
}
