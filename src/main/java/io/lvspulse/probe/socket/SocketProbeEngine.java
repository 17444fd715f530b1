package io.lvspulse.probe.socket;

import io.lvspulse.config.Protocol;
import io.lvspulse.probe.ExpectMatcher;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.LocalErrors;
import io.lvspulse.probe.ProbeReactor;
import io.lvspulse.probe.ProbeResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs TCP and UDP socket probes (nanny's {@code pinger}) on one selector thread shared by all of
 * them (or a few, round-robin): no thread per probe, one hard deadline per probe, every socket
 * closed when its probe ends.
 *
 * <p>TCP: a non-blocking connect (RST: {@link FailureCause#CONNECTION_REFUSED}; nothing by the
 * deadline: {@link FailureCause#TIMEOUT}), then {@code send}, then, if {@code expect} is set, reads
 * until the {@link ExpectMatcher} decides (match, mismatch, EOF) or the deadline passes. Without
 * {@code expect} nothing is read: the connect (and the send) is the check, as in nanny.
 *
 * <p>UDP: a <em>connected</em> {@link DatagramChannel}, so the kernel reports an ICMP
 * port-unreachable for it: a closed port fails at once with {@link FailureCause#PORT_UNREACHABLE}
 * instead of at the deadline. The first datagram decides: it is judged by {@code expect}, or any
 * datagram (even an empty one) is enough without {@code expect}. As in nanny, nothing is sent when
 * {@code send} is empty, so such a check can only pass if the server speaks first.
 *
 * <p>nanny waits up to {@code timeout} for the connect and again up to {@code timeout} for the
 * reply; here the whole probe has one deadline, {@link SocketCheck#timeout()}.
 *
 * <p>{@link #probe} never blocks and its future never completes exceptionally; results are handed
 * to the completion executor so callers' continuations never run on the selector thread (unless
 * they pass a direct executor). {@link #close} stops the selector threads and completes the probes
 * still queued or running with {@code LOCAL_ERROR}. The threads, queues, deadlines and close are
 * {@link ProbeReactor}'s; this class is the socket side of it.
 */
public final class SocketProbeEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SocketProbeEngine.class);
  private static final int SHORT_REPLY_CAPACITY = 256;
  private static final int MESSAGE_TEXT = 80;

  private final ProbeReactor<Flight> reactor;

  /** An engine with the real clock that completes futures on the common pool. */
  public SocketProbeEngine() throws IOException {
    this(System::nanoTime, ForkJoinPool.commonPool());
  }

  /**
   * @param nanoTime the monotonic clock (as {@link System#nanoTime})
   * @param completions where futures are completed; {@code Runnable::run} completes them on the
   *     selector thread (continuations must then be short and non-blocking)
   */
  public SocketProbeEngine(LongSupplier nanoTime, Executor completions) throws IOException {
    this(nanoTime, completions, 1);
  }

  /**
   * @param selectorThreads how many selector threads to run, at least 1; probes are assigned to
   *     them round-robin
   */
  public SocketProbeEngine(LongSupplier nanoTime, Executor completions, int selectorThreads)
      throws IOException {
    this.reactor =
        new ProbeReactor<>(
            "socket probe engine",
            "lvs-pulse-socket-engine",
            selectorThreads,
            nanoTime,
            completions,
            Shard::new);
  }

  /** A probe that runs {@code check} on this engine each time it is started. */
  public SocketProbe probeFor(SocketCheck check) {
    return new SocketProbe(this, check);
  }

  /** Starts one probe. Never blocks; never completes exceptionally. */
  public CompletableFuture<ProbeResult> probe(SocketCheck check) {
    return reactor.submit(new Flight(check));
  }

  /** Probes queued or running. */
  public int inFlight() {
    return reactor.inFlight();
  }

  /** Probes started since the engine was created. */
  public long started() {
    return reactor.loops().stream().mapToLong(ProbeReactor.Loop::started).sum();
  }

  /** How many selector threads run the probes. */
  public int selectorThreads() {
    return reactor.loops().size();
  }

  /**
   * Stops the selector threads; probes still running complete with LOCAL_ERROR; sockets are closed.
   */
  @Override
  public void close() {
    reactor.close();
  }

  // ---------------------------------------------------------------------------------------------
  // selector threads

  /** The socket side of one selector thread; its fields belong to that thread. */
  private static final class Shard implements ProbeReactor.Handler<Flight> {
    private final ProbeReactor.Loop<Flight> loop;
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(65536);

    Shard(ProbeReactor.Loop<Flight> loop) {
      this.loop = loop;
    }

    @Override
    public void onTimer(Flight f) {
      loop.end(f, ProbeResult.failure(FailureCause.TIMEOUT, timeoutMessage(f), loop.elapsed(f)));
    }

    @Override
    public void begin(Flight f) {
      SocketCheck c = f.check;
      InetSocketAddress target = c.target();
      if (target.isUnresolved() || target.getAddress() == null) {
        loop.end(
            f,
            ProbeResult.failure(
                FailureCause.UNKNOWN_HOST,
                "unknown host " + target.getHostString(),
                Duration.ZERO));
        return;
      }
      loop.armTimer(f, f.submittedAt() + c.timeout().toNanos());
      try {
        if (c.protocol() == Protocol.TCP) {
          SocketChannel ch = SocketChannel.open();
          f.channel = ch;
          ch.configureBlocking(false);
          f.stage = Stage.CONNECTING;
          if (ch.connect(target)) {
            connected(f);
          } else {
            f.key = ch.register(loop.selector(), SelectionKey.OP_CONNECT, f);
          }
        } else {
          DatagramChannel ch =
              DatagramChannel.open(
                  target.getAddress() instanceof Inet6Address
                      ? StandardProtocolFamily.INET6
                      : StandardProtocolFamily.INET);
          f.channel = ch;
          ch.configureBlocking(false);
          ch.connect(target);
          f.key = ch.register(loop.selector(), SelectionKey.OP_READ, f);
          startSending(f);
        }
      } catch (IOException | RuntimeException e) {
        fail(f, e);
      }
    }

    @Override
    public void onReady(Flight f, SelectionKey key) {
      try {
        if (key.isConnectable()) {
          SocketChannel ch = (SocketChannel) key.channel();
          if (ch.finishConnect()) {
            connected(f);
          }
          return;
        }
        if (key.isWritable()) {
          write(f);
        }
        if (!f.done() && key.isValid() && key.isReadable()) {
          read(f);
        }
      } catch (IOException | RuntimeException e) {
        fail(f, e);
      }
    }

    private void connected(Flight f) throws IOException {
      startSending(f);
    }

    private void startSending(Flight f) throws IOException {
      byte[] send = f.check.sendBytes();
      if (send.length == 0) {
        sent(f);
        return;
      }
      f.stage = Stage.SENDING;
      f.out = ByteBuffer.wrap(send);
      write(f);
    }

    private void write(Flight f) throws IOException {
      ByteBuffer out = f.out;
      if (out == null) {
        return;
      }
      if (f.channel instanceof SocketChannel ch) {
        ch.write(out);
      } else if (f.channel instanceof DatagramChannel ch) {
        ch.write(out); // a datagram goes whole or not at all
      }
      if (out.hasRemaining()) {
        interest(
            f,
            SelectionKey.OP_WRITE
                | (f.check.protocol() == Protocol.UDP ? SelectionKey.OP_READ : 0));
        return;
      }
      f.out = null;
      f.sentBytes = out.limit();
      sent(f);
    }

    private void sent(Flight f) throws IOException {
      SocketCheck c = f.check;
      if (!c.readsReply()) {
        String msg =
            "connected to "
                + SocketCheck.hostPort(c.target())
                + (f.sentBytes > 0 ? ", sent " + f.sentBytes + " bytes" : "");
        loop.end(f, ProbeResult.ok(msg, loop.elapsed(f)));
        return;
      }
      f.stage = Stage.READING;
      interest(f, SelectionKey.OP_READ);
    }

    private void interest(Flight f, int ops) throws IOException {
      SelectionKey k = f.key;
      if (k == null) {
        f.key = f.channel().register(loop.selector(), ops, f);
      } else {
        k.interestOps(ops);
      }
    }

    private void read(Flight f) throws IOException {
      SocketCheck c = f.check;
      if (f.channel instanceof DatagramChannel ch) {
        datagram.clear();
        int n;
        try {
          n = ch.read(datagram);
        } catch (PortUnreachableException e) {
          loop.end(
              f,
              ProbeResult.failure(
                  FailureCause.PORT_UNREACHABLE,
                  "port unreachable: " + SocketCheck.hostPort(c.target()),
                  loop.elapsed(f)));
          return;
        }
        if (n < 0) {
          return; // nothing to read after all
        }
        datagram.flip();
        byte[] reply = new byte[datagram.remaining()];
        datagram.get(reply);
        if (f.stage != Stage.READING) {
          // a datagram before our own send completed: only possible if the server speaks first
          f.stage = Stage.READING;
        }
        judge(f, reply, reply.length, true, false);
        return;
      }
      SocketChannel ch = (SocketChannel) f.channel();
      ExpectMatcher m = c.expect().orElseThrow();
      if (f.in == null) {
        int cap =
            m.mode() == ExpectMatcher.Mode.REGEX
                ? ExpectMatcher.MAX_REPLY_BYTES
                : Math.max(m.minimumBytes(), SHORT_REPLY_CAPACITY);
        f.in = new byte[cap];
      }
      byte[] in = f.in;
      int n = ch.read(ByteBuffer.wrap(in, f.inLen, in.length - f.inLen));
      boolean eof = n < 0;
      if (n > 0) {
        f.inLen += n;
      }
      if (!eof && n == 0) {
        return;
      }
      judge(f, in, f.inLen, eof || f.inLen == in.length, eof);
    }

    private void judge(Flight f, byte[] reply, int len, boolean ended, boolean eof) {
      SocketCheck c = f.check;
      String from = SocketCheck.hostPort(c.target());
      if (c.expect().isEmpty()) { // UDP without expect: any datagram
        loop.end(f, ProbeResult.ok("datagram of " + len + " bytes from " + from, loop.elapsed(f)));
        return;
      }
      ExpectMatcher m = c.expect().get();
      switch (m.judge(reply, len, ended)) {
        case MATCH ->
            loop.end(
                f,
                ProbeResult.ok(
                    "reply from " + from + " matched " + m.describe() + ": " + text(reply, len),
                    loop.elapsed(f)));
        case MISMATCH -> {
          String why;
          if (len == 0) {
            why =
                (eof
                    ? "connection closed by " + from + " without a reply"
                    : "empty reply from " + from);
          } else if (len < m.minimumBytes() && m.mode() != ExpectMatcher.Mode.REGEX) {
            why =
                "reply from "
                    + from
                    + " too short ("
                    + len
                    + " of "
                    + m.minimumBytes()
                    + " bytes"
                    + (eof ? ", connection closed" : "")
                    + "): "
                    + text(reply, len);
          } else {
            why =
                "reply from " + from + " does not match " + m.describe() + ": " + text(reply, len);
          }
          loop.end(f, ProbeResult.failure(FailureCause.UNEXPECTED_REPLY, why, loop.elapsed(f)));
        }
        case NEED_MORE -> {
          // wait for more bytes or the deadline
        }
      }
    }

    private void fail(Flight f, Throwable e) {
      String target = SocketCheck.hostPort(f.check.target());
      FailureCause cause;
      String msg;
      if (e instanceof ConnectException && f.stage == Stage.CONNECTING) {
        cause = FailureCause.CONNECTION_REFUSED;
        msg = "connection refused by " + target;
      } else if (e instanceof PortUnreachableException) {
        cause = FailureCause.PORT_UNREACHABLE;
        msg = "port unreachable: " + target;
      } else if (LocalErrors.isLocal(e)) {
        loop.end(
            f,
            ProbeResult.localError(
                f.stage.verb + " " + target + " failed: " + describe(e), loop.elapsed(f)));
        return;
      } else if (e instanceof NoRouteToHostException) {
        cause = FailureCause.IO_ERROR;
        msg = "no route to host " + target;
      } else if (e instanceof IOException && f.stage != Stage.CONNECTING) {
        cause = FailureCause.UNEXPECTED_REPLY;
        msg = f.stage.verb + " " + target + " failed: " + describe(e);
      } else {
        cause = FailureCause.IO_ERROR;
        msg = f.stage.verb + " " + target + " failed: " + describe(e);
      }
      loop.end(f, ProbeResult.failure(cause, msg, loop.elapsed(f)));
    }

    private static String describe(Throwable e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private String timeoutMessage(Flight f) {
      String target = SocketCheck.hostPort(f.check.target());
      String within = " within " + f.check.timeout().toMillis() + " ms";
      return switch (f.stage) {
        case QUEUED -> "probe of " + target + " did not start" + within;
        case CONNECTING -> "no connection to " + target + within;
        case SENDING -> "could not send to " + target + within;
        case READING -> {
          if (f.inLen == 0) {
            yield "no reply from " + target + within;
          }
          ExpectMatcher m = f.check.expect().orElseThrow();
          yield (f.inLen < m.minimumBytes()
                  ? "short reply from "
                      + target
                      + " ("
                      + f.inLen
                      + " of "
                      + m.minimumBytes()
                      + " bytes)"
                  : "no reply from " + target + " matching " + m.describe())
              + within
              + ": "
              + text(f.in == null ? new byte[0] : f.in, f.inLen);
        }
      };
    }

    private static String text(byte[] b, int len) {
      String s = new String(b, 0, Math.min(len, 4 * MESSAGE_TEXT), StandardCharsets.UTF_8);
      int nl = s.indexOf('\n');
      if (nl >= 0) {
        s = s.substring(0, nl);
      }
      return "\"" + ExpectMatcher.printable(s.strip(), MESSAGE_TEXT) + "\"";
    }

    @Override
    public void release(Flight f) {
      // the deadline entry stays in the timer heap and is skipped when it expires; removal is O(n)
      SelectionKey k = f.key;
      if (k != null) {
        k.cancel();
      }
      SelectableChannel ch = f.channel;
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          log.debug("closing probe socket: {}", e.toString());
        }
      }
      // the flight stays referenced by the timer heap until its deadline: drop its buffers now
      f.key = null;
      f.channel = null;
      f.in = null;
      f.out = null;
    }
  }

  private enum Stage {
    QUEUED("probing"),
    CONNECTING("connecting to"),
    SENDING("sending to"),
    READING("reading from");

    final String verb;

    Stage(String verb) {
      this.verb = verb;
    }
  }

  private static final class Flight extends ProbeReactor.Task {
    final SocketCheck check;
    Stage stage = Stage.QUEUED;
    @Nullable SelectableChannel channel;
    @Nullable SelectionKey key;
    @Nullable ByteBuffer out;
    byte @Nullable [] in;
    int inLen;
    int sentBytes;

    Flight(SocketCheck check) {
      this.check = check;
    }

    SelectableChannel channel() {
      SelectableChannel ch = channel;
      if (ch == null) {
        throw new IllegalStateException("no channel");
      }
      return ch;
    }
  }
}
