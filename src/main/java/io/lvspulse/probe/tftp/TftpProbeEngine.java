package io.lvspulse.probe.tftp;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.LocalErrors;
import io.lvspulse.probe.Probe;
import io.lvspulse.probe.ProbeReactor;
import io.lvspulse.probe.ProbeResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs TFTP probes on a few NIO selector threads ("shards"), thousands of probes in flight at once.
 *
 * <p><b>Sockets.</b> Each probe in flight has its own ephemeral UDP port (so its TFTP transfer ID
 * is unique) and up to two channels on that port: an unconnected one that receives the server's
 * replies, which come from a new port (the server's TID), and one <em>connected</em> to the
 * server's listening port, from which the RRQ is sent. Only a connected socket learns of an ICMP
 * port-unreachable, so a port with nothing listening fails in well under a millisecond on loopback
 * instead of at the timeout. The two channels share the port through {@code SO_REUSEADDR}; the
 * first one is bound without it so the kernel's ephemeral port is not shared with any other socket.
 * The kernel delivers datagrams from the server's listening port to the connected channel and
 * everything else to the other one; the engine reads both. (The single-socket alternatives do not
 * work: a socket connected to port 69 drops the reply from the server's new port and the kernel
 * answers it with port-unreachable, which aborts the server's transfer; an unconnected socket never
 * sees the ICMP error without {@code IP_RECVERR}, which Java does not offer.)
 *
 * <p><b>Descriptor budget.</b> The connected channel is an optimisation, the receiving channel is
 * not. The engine counts its open channels and opens the connected one only while that count stays
 * under a budget (by default {@code RLIMIT_NOFILE} minus a reserve of a tenth, at least 256, for
 * the rest of the process); above it, or if opening it fails, the probe runs on one socket and a
 * dead port is noticed at the timeout instead. Once the server's TID is locked on a port other than
 * its listening port, the connected channel is closed early: ICMP no longer matters then.
 *
 * <p><b>Threads.</b> Probes are assigned round-robin to the shards, by default one per CPU (at most
 * {@value #MAX_DEFAULT_SHARDS}). Each shard owns its selector, timer heap and probes, so opening,
 * binding and closing sockets (most of a probe's cost: about ten system calls) runs in parallel and
 * shards share no locks. A shard starts at most {@value ProbeReactor#BEGIN_BATCH} queued probes
 * between two selects, so the replies to a large burst are read while the rest of it is still being
 * started: without that, a burst of 10,000 kept the thread busy opening sockets for longer than the
 * RRQ retransmission interval, and every reply already waiting was answered by a useless resend.
 *
 * <p>{@link #probe} never blocks: it queues the probe and wakes its shard. Its future never
 * completes exceptionally and completes by the probe's deadline (plus scheduling delay). Results
 * are handed to the completion executor, so a caller's continuations never run on a selector thread
 * unless it asks for a direct executor. {@link #close} stops every shard and completes the probes
 * still queued or running with {@code LOCAL_ERROR}. The threads, queues, timers and close are
 * {@link ProbeReactor}'s; this class is the TFTP side of it.
 */
public final class TftpProbeEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TftpProbeEngine.class);
  private static final int MAX_READS_PER_WAKEUP = 64;
  static final int MAX_DEFAULT_SHARDS = 4;

  private final LongSupplier nanoTime;
  private final boolean detectPortUnreachable;
  private final long channelBudget;
  private final AtomicLong openChannels = new AtomicLong();
  private final AtomicLong oneSocketProbes = new AtomicLong();
  private final ProbeReactor<Flight> reactor;

  /** An engine with the real clock that completes futures on the common pool. */
  public TftpProbeEngine() throws IOException {
    this(System::nanoTime, ForkJoinPool.commonPool());
  }

  /**
   * @param nanoTime the monotonic clock (as {@link System#nanoTime})
   * @param completions where futures are completed; {@code Runnable::run} completes them on the
   *     selector thread (fast, but continuations must then be short and non-blocking)
   */
  public TftpProbeEngine(LongSupplier nanoTime, Executor completions) throws IOException {
    this(nanoTime, completions, true);
  }

  /**
   * @param detectPortUnreachable open the second, connected socket per probe while the descriptor
   *     budget allows. Without it a port with nothing listening is only noticed at the timeout, but
   *     each probe needs one descriptor.
   */
  public TftpProbeEngine(LongSupplier nanoTime, Executor completions, boolean detectPortUnreachable)
      throws IOException {
    this(nanoTime, completions, detectPortUnreachable, defaultSelectorThreads());
  }

  /**
   * @param selectorThreads how many selector threads (shards) to run, at least 1
   */
  public TftpProbeEngine(
      LongSupplier nanoTime,
      Executor completions,
      boolean detectPortUnreachable,
      int selectorThreads)
      throws IOException {
    this(nanoTime, completions, detectPortUnreachable, selectorThreads, defaultChannelBudget());
  }

  TftpProbeEngine(
      LongSupplier nanoTime,
      Executor completions,
      boolean detectPortUnreachable,
      int selectorThreads,
      long channelBudget)
      throws IOException {
    this.detectPortUnreachable = detectPortUnreachable;
    this.nanoTime = nanoTime;
    this.channelBudget = channelBudget;
    this.reactor =
        new ProbeReactor<>(
            "TFTP engine",
            "lvs-pulse-tftp-engine",
            selectorThreads,
            nanoTime,
            completions,
            Shard::new);
  }

  /** One selector thread per CPU, at most {@value #MAX_DEFAULT_SHARDS}. */
  public static int defaultSelectorThreads() {
    return Math.max(1, Math.min(MAX_DEFAULT_SHARDS, Runtime.getRuntime().availableProcessors()));
  }

  /** {@code RLIMIT_NOFILE} minus a tenth (at least 256) for the rest of the process. */
  static long defaultChannelBudget() {
    long max = Long.MAX_VALUE;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      max = unix.getMaxFileDescriptorCount();
    }
    if (max <= 0 || max == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return Math.max(1, max - Math.max(256, max / 10));
  }

  /** A {@link Probe} that runs {@code check} on this engine each time it is started. */
  public Probe probeFor(TftpCheck check) {
    return () -> probe(check);
  }

  /** Starts one probe. Never blocks; never completes exceptionally. */
  public CompletableFuture<ProbeResult> probe(TftpCheck check) {
    return reactor.submit(new Flight(check));
  }

  /** Probes queued or running. */
  public int inFlight() {
    return reactor.inFlight();
  }

  /** How many selector threads run the probes. */
  public int selectorThreads() {
    return reactor.loops().size();
  }

  /**
   * Probes that ran on one socket (without the port-unreachable fast path) since the engine
   * started, because it was disabled, the descriptor budget was used up or the socket could not be
   * opened.
   */
  public long oneSocketProbes() {
    return oneSocketProbes.get();
  }

  /** Stops every selector thread; probes still queued or running complete with LOCAL_ERROR. */
  @Override
  public void close() {
    reactor.close();
  }

  // ---------------------------------------------------------------------------------------------
  // for tests

  /** Probes each shard has started since the engine started. */
  long[] probesStartedPerShard() {
    return reactor.loops().stream().mapToLong(ProbeReactor.Loop::started).toArray();
  }

  /** The shards' threads. */
  List<Thread> selectorThreadList() {
    return reactor.loops().stream().map(ProbeReactor.Loop::thread).toList();
  }

  /** Channels the engine has open. */
  long openChannels() {
    return openChannels.get();
  }

  /** The timers queued on every shard (to show stale entries stay bounded). */
  int queuedTimers() {
    return reactor.loops().stream().mapToInt(ProbeReactor.Loop::queuedTimers).sum();
  }

  // ---------------------------------------------------------------------------------------------
  // selector threads

  /** The TFTP side of one selector thread; its fields belong to that thread. */
  private final class Shard implements ProbeReactor.Handler<Flight> {
    private final ProbeReactor.Loop<Flight> loop;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(65536);

    Shard(ProbeReactor.Loop<Flight> loop) {
      this.loop = loop;
    }

    @Override
    public void begin(Flight f) {
      InetSocketAddress server = f.check.server();
      if (server.isUnresolved() || server.getAddress() == null) {
        loop.end(
            f,
            ProbeResult.failure(
                FailureCause.UNKNOWN_HOST,
                "Unknown host " + server.getHostString(),
                Duration.ZERO));
        return;
      }
      ProtocolFamily fam =
          server.getAddress() instanceof Inet6Address
              ? StandardProtocolFamily.INET6
              : StandardProtocolFamily.INET;
      DatagramChannel rxc;
      try {
        rxc = DatagramChannel.open(fam);
        openChannels.incrementAndGet();
        f.rx = rxc;
        rxc.configureBlocking(false);
        rxc.bind(null); // a fresh ephemeral port, shared with no other socket
        rxc.register(loop.selector(), SelectionKey.OP_READ, f);
      } catch (IOException | RuntimeException e) {
        loop.end(
            f,
            ProbeResult.failure(
                FailureCause.IO_ERROR,
                e,
                "Cannot open UDP socket: " + e.getMessage(),
                loop.elapsed(f)));
        return;
      }
      if (detectPortUnreachable && openChannels.get() < channelBudget) {
        openConnected(f, rxc, fam, server);
      }
      if (f.conn == null) {
        oneSocketProbes.incrementAndGet();
      }
      TftpTransfer t = new TftpTransfer(f.check, server, f.submittedAt());
      f.t = t;
      t.start(loop.now(), f);
      afterEvent(f);
    }

    /** The optional connected channel; on failure the probe runs on its receiving channel alone. */
    private void openConnected(
        Flight f, DatagramChannel rxc, ProtocolFamily fam, InetSocketAddress server) {
      DatagramChannel cc = null;
      try {
        int port = ((InetSocketAddress) rxc.getLocalAddress()).getPort();
        rxc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        cc = DatagramChannel.open(fam);
        openChannels.incrementAndGet();
        cc.configureBlocking(false);
        cc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        cc.bind(new InetSocketAddress(port));
        cc.connect(server);
        cc.register(loop.selector(), SelectionKey.OP_READ, f);
        f.conn = cc;
      } catch (IOException | RuntimeException e) {
        log.debug("TFTP probe of {} runs on one socket: {}", server, e.toString());
        closeQuietly(cc);
      }
    }

    @Override
    public void onReady(Flight f, SelectionKey key) {
      DatagramChannel ch = (DatagramChannel) key.channel();
      TftpTransfer t = f.t;
      if (t == null) {
        return;
      }
      long n = loop.now();
      try {
        for (int i = 0; i < MAX_READS_PER_WAKEUP && !t.done(); i++) {
          rx.clear();
          SocketAddress from;
          try {
            from = ch.receive(rx);
          } catch (PortUnreachableException e) {
            t.onPortUnreachable(n);
            break;
          }
          if (from == null) {
            break;
          }
          rx.flip();
          t.onDatagram((InetSocketAddress) from, rx, n, f);
        }
      } catch (IOException | RuntimeException e) {
        t.onIoError(n, "UDP receive failed: " + e, LocalErrors.isLocal(e));
      }
      afterEvent(f);
    }

    @Override
    public void onTimer(Flight f) {
      TftpTransfer t = f.t;
      if (t != null) {
        t.onTimer(loop.now(), f);
        afterEvent(f);
      }
    }

    private void afterEvent(Flight f) {
      TftpTransfer t = f.t;
      if (t == null || f.done()) {
        return;
      }
      if (t.done()) {
        loop.end(f, t.result().orElseThrow());
        return;
      }
      if (f.conn != null && t.serverTid() >= 0 && t.serverTid() != f.check.server().getPort()) {
        // TID locked on another port: nothing more can arrive on the connected channel, and
        // port-unreachable no longer matters
        closeQuietly(f.conn);
        f.conn = null;
      }
      loop.armTimer(f, t.nextTimerNanos());
    }

    @Override
    public void release(Flight f) {
      closeQuietly(f.rx);
      closeQuietly(f.conn);
      f.rx = null;
      f.conn = null;
    }
  }

  private void closeQuietly(@Nullable DatagramChannel c) {
    if (c != null) {
      openChannels.decrementAndGet();
      try {
        c.close();
      } catch (IOException e) {
        log.debug("closing channel: {}", e.toString());
      }
    }
  }

  /** One probe in flight; also its {@link TftpTransfer.Wire}. */
  private final class Flight extends ProbeReactor.Task implements TftpTransfer.Wire {
    final TftpCheck check;
    @Nullable DatagramChannel rx;
    @Nullable DatagramChannel conn;
    @Nullable TftpTransfer t;

    Flight(TftpCheck check) {
      this.check = check;
    }

    @Override
    public void send(InetSocketAddress to, ByteBuffer packet) {
      TftpTransfer tr = t;
      try {
        DatagramChannel c = conn;
        DatagramChannel r = rx;
        if (c != null && to.equals(check.server())) {
          c.write(packet);
        } else if (r != null) {
          r.send(packet, to);
        }
      } catch (PortUnreachableException e) {
        if (tr != null) {
          tr.onPortUnreachable(nanoTime.getAsLong());
        }
      } catch (IOException e) {
        if (tr != null) {
          tr.onIoError(
              nanoTime.getAsLong(), "UDP send failed: " + e.getMessage(), LocalErrors.isLocal(e));
        }
      }
    }
  }
}
