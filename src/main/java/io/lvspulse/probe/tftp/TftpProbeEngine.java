package io.lvspulse.probe.tftp;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.Probe;
import io.lvspulse.probe.ProbeResult;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs TFTP probes on one selector thread shared by all of them.
 *
 * <p>Each probe in flight has its own ephemeral UDP port (so its TFTP transfer ID is unique) and two
 * channels on that port: an unconnected one that receives the server's replies, which come from a
 * new port (the server's TID), and one <em>connected</em> to the server's listening port, from
 * which the RRQ is sent. Only a connected socket learns of an ICMP port-unreachable, so a port with
 * nothing listening fails in well under a millisecond on loopback instead of at the timeout. The
 * two channels share the port through {@code SO_REUSEADDR}; the first one is bound without it so
 * the kernel's ephemeral port is not shared with any other socket. The kernel delivers datagrams
 * from the server's listening port to the connected channel and everything else to the other one;
 * the engine reads both.
 *
 * <p>{@link #probe} never blocks: it queues the probe and wakes the selector. Its future never
 * completes exceptionally and completes by the probe's deadline (plus scheduling delay). Results
 * are handed to the completion executor, so a caller's continuations never run on the selector
 * thread unless it asks for a direct executor.
 */
public final class TftpProbeEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TftpProbeEngine.class);
  private static final int MAX_READS_PER_WAKEUP = 64;

  private final LongSupplier nanoTime;
  private final Executor completions;
  private final boolean detectPortUnreachable;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Flight> submitted = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closing;

  // selector-thread state
  private final Set<Flight> active = new HashSet<>();
  private final PriorityQueue<TimerEntry> timers = new PriorityQueue<>();
  private final ByteBuffer rx = ByteBuffer.allocateDirect(65536);
  private long now;

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
   * @param detectPortUnreachable open the second, connected socket per probe (two file
   *     descriptors per probe in flight). Without it a port with nothing listening is only noticed
   *     at the timeout, but each probe needs one descriptor.
   */
  public TftpProbeEngine(LongSupplier nanoTime, Executor completions, boolean detectPortUnreachable)
      throws IOException {
    this.detectPortUnreachable = detectPortUnreachable;
    this.nanoTime = nanoTime;
    this.completions = completions;
    this.selector = Selector.open();
    this.thread = new Thread(this::run, "lvs-pulse-tftp-engine");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** A {@link Probe} that runs {@code check} on this engine each time it is started. */
  public Probe probeFor(TftpCheck check) {
    return () -> probe(check);
  }

  /** Starts one probe. Never blocks; never completes exceptionally. */
  public CompletableFuture<ProbeResult> probe(TftpCheck check) {
    CompletableFuture<ProbeResult> f = new CompletableFuture<>();
    if (closing) {
      f.complete(ProbeResult.failure(FailureCause.IO_ERROR, "TFTP engine is closed", Duration.ZERO));
      return f;
    }
    inFlight.incrementAndGet();
    submitted.add(new Flight(check, f, nanoTime.getAsLong()));
    if (wakeupPending.compareAndSet(false, true)) {
      selector.wakeup();
    }
    if (closing) {
      selector.wakeup(); // the engine thread fails everything still queued when it stops
    }
    return f;
  }

  /** Probes queued or running. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Stops the selector thread; probes still running complete with IO_ERROR. */
  @Override
  public void close() {
    closing = true;
    selector.wakeup();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // selector thread

  private void run() {
    try {
      while (!closing) {
        long wait = 0;
        TimerEntry next = timers.peek();
        now = nanoTime.getAsLong();
        if (next != null) {
          long ns = next.at - now;
          wait = ns <= 0 ? -1 : Math.max(1, (ns + 999_999) / 1_000_000);
        }
        try {
          if (wait < 0) {
            selector.selectNow(this::onReady);
          } else {
            selector.select(this::onReady, wait);
          }
        } catch (IOException e) {
          log.warn("TFTP engine: select failed: {}", e.toString());
        }
        wakeupPending.set(false);
        now = nanoTime.getAsLong();
        Flight f;
        while ((f = submitted.poll()) != null) {
          begin(f);
        }
        runTimers();
      }
    } catch (ClosedSelectorException e) {
      log.debug("TFTP engine selector closed");
    } catch (RuntimeException | Error e) {
      log.error("TFTP engine thread failed; failing every probe in flight", e);
    } finally {
      shutdown();
    }
  }

  private void shutdown() {
    closing = true;
    now = nanoTime.getAsLong();
    for (Flight f : new ArrayList<>(active)) {
      f.transfer().ifPresent(t -> t.onIoError(now, "TFTP engine closed"));
      end(f, ProbeResult.failure(FailureCause.IO_ERROR, "TFTP engine closed", elapsed(f)));
    }
    Flight f;
    while ((f = submitted.poll()) != null) {
      end(f, ProbeResult.failure(FailureCause.IO_ERROR, "TFTP engine closed", Duration.ZERO));
    }
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("closing selector: {}", e.toString());
    }
  }

  private Duration elapsed(Flight f) {
    return Duration.ofNanos(Math.max(0, now - f.submittedAt));
  }

  private void begin(Flight f) {
    InetSocketAddress server = f.check.server();
    if (server.isUnresolved() || server.getAddress() == null) {
      end(f, ProbeResult.failure(FailureCause.UNKNOWN_HOST, "Unknown host " + server.getHostString(), Duration.ZERO));
      return;
    }
    active.add(f);
    ProtocolFamily fam =
        server.getAddress() instanceof Inet6Address
            ? StandardProtocolFamily.INET6
            : StandardProtocolFamily.INET;
    try {
      DatagramChannel rxc = DatagramChannel.open(fam);
      f.rx = rxc;
      rxc.configureBlocking(false);
      rxc.bind(null); // a fresh ephemeral port, shared with no other socket
      rxc.register(selector, SelectionKey.OP_READ, f);
      if (detectPortUnreachable) {
        int port = ((InetSocketAddress) rxc.getLocalAddress()).getPort();
        rxc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        DatagramChannel cc = DatagramChannel.open(fam);
        f.conn = cc;
        cc.configureBlocking(false);
        cc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        cc.bind(new InetSocketAddress(port));
        cc.connect(server);
        cc.register(selector, SelectionKey.OP_READ, f);
      }
    } catch (IOException | RuntimeException e) {
      end(f, ProbeResult.failure(FailureCause.IO_ERROR, "Cannot open UDP socket: " + e.getMessage(), elapsed(f)));
      return;
    }
    TftpTransfer t = new TftpTransfer(f.check, server, f.submittedAt);
    f.t = t;
    t.start(now, f);
    afterEvent(f);
  }

  private void onReady(SelectionKey key) {
    Flight f = (Flight) key.attachment();
    if (f == null || f.done) {
      return;
    }
    DatagramChannel ch = (DatagramChannel) key.channel();
    TftpTransfer t = f.t;
    if (t == null) {
      return;
    }
    long n = nanoTime.getAsLong();
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
      t.onIoError(n, "UDP receive failed: " + e);
    }
    now = n;
    afterEvent(f);
  }

  private void runTimers() {
    TimerEntry e;
    while ((e = timers.peek()) != null && e.at - now <= 0) {
      timers.poll();
      Flight f = e.flight;
      if (f.done || f.queuedAt != e.at || f.t == null) {
        continue; // stale entry
      }
      f.queuedAt = Long.MAX_VALUE;
      f.t.onTimer(now, f);
      afterEvent(f);
    }
  }

  private void afterEvent(Flight f) {
    TftpTransfer t = f.t;
    if (t == null || f.done) {
      return;
    }
    if (t.done()) {
      end(f, t.result().orElseThrow());
      return;
    }
    long nt = t.nextTimerNanos();
    if (nt < f.queuedAt) {
      f.queuedAt = nt;
      timers.add(new TimerEntry(nt, f));
    }
  }

  private void end(Flight f, ProbeResult r) {
    if (f.done) {
      return;
    }
    f.done = true;
    active.remove(f);
    closeQuietly(f.rx);
    closeQuietly(f.conn);
    inFlight.decrementAndGet();
    try {
      completions.execute(() -> f.future.complete(r));
    } catch (RuntimeException e) { // rejected: complete here rather than never
      f.future.complete(r);
    }
  }

  private static void closeQuietly(@Nullable DatagramChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        log.debug("closing channel: {}", e.toString());
      }
    }
  }

  private record TimerEntry(long at, Flight flight) implements Comparable<TimerEntry> {
    @Override
    public int compareTo(TimerEntry o) {
      return Long.compare(at - o.at, 0);
    }
  }

  /** One probe in flight; also its {@link TftpTransfer.Wire}. */
  private final class Flight implements TftpTransfer.Wire {
    final TftpCheck check;
    final CompletableFuture<ProbeResult> future;
    final long submittedAt;
    @Nullable DatagramChannel rx;
    @Nullable DatagramChannel conn;
    @Nullable TftpTransfer t;
    long queuedAt = Long.MAX_VALUE;
    boolean done;

    Flight(TftpCheck check, CompletableFuture<ProbeResult> future, long submittedAt) {
      this.check = check;
      this.future = future;
      this.submittedAt = submittedAt;
    }

    java.util.Optional<TftpTransfer> transfer() {
      return java.util.Optional.ofNullable(t);
    }

    @Override
    public void send(InetSocketAddress to, ByteBuffer packet) {
      TftpTransfer tr = t;
      try {
        if (conn != null && to.equals(check.server())) {
          conn.write(packet);
        } else if (rx != null) {
          rx.send(packet, to);
        }
      } catch (PortUnreachableException e) {
        if (tr != null) {
          tr.onPortUnreachable(nanoTime.getAsLong());
        }
      } catch (IOException e) {
        if (tr != null) {
          tr.onIoError(nanoTime.getAsLong(), "UDP send failed: " + e.getMessage());
        }
      }
    }
  }

  /** For tests: the timers queued (to show stale entries stay bounded). */
  int queuedTimers() {
    return timers.size();
  }
}
