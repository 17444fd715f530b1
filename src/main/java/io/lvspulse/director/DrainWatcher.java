package io.lvspulse.director;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.lvspulse.config.Protocol;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsConnections;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.monitor.ServerView;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when a server in maintenance is drained, from the kernel's connection counters: while any
 * server waits (in maintenance, still in IPVS at weight 0), it reads {@code ipvsadm -L -n} every
 * {@code every} and reports each server with no connection left, which then leaves IPVS.
 *
 * <p>"Drained" ({@link #isDrained}): for a TCP virtual service, {@code ActiveConn} is 0 (what is
 * left in {@code InActConn} is closing or in TIME_WAIT: nothing to finish); for a UDP one
 * (including a UDP fwmark service such as TFTP), {@code ActiveConn + InActConn} is 0, because IPVS
 * counts every UDP flow as inactive and keeps it until the UDP timeout ({@code udp_timeout}, 300 s
 * by default) after its last packet: such a server leaves IPVS about one UDP timeout after its last
 * transfer, and no transfer in progress is cut. A destination this kernel does not have (an
 * inactive director, a service not programmed yet) has no connection. When the counters cannot be
 * read, nothing is decided (it is retried; a maintenance never cuts connections it cannot see).
 *
 * <p>Threads: {@link #accept} runs on the monitor's publisher, the checks on the watcher's own
 * thread; the waiting list is shared under {@code this}.
 */
public final class DrainWatcher
    implements java.util.function.Consumer<MonitorSnapshot>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DrainWatcher.class);

  /** Where a drained server is reported (the daemon hands it to the monitor). */
  @FunctionalInterface
  public interface Sink {
    /**
     * @param id the server
     * @param maintenanceSince when its maintenance began (identifies the maintenance)
     * @param why what the kernel showed, for the log
     */
    void drained(ServerId id, Instant maintenanceSince, String why);
  }

  /** One server waiting to be drained. */
  record Waiting(
      ServerId id, Instant since, Optional<ServiceKey> key, InetSocketAddress dest, boolean tcp) {}

  private final IpvsBackend backend;
  private final Duration every;
  private final Sink sink;
  private final ScheduledExecutorService thread;
  private final boolean checkOnChange;
  private final Object checking = new Object();

  @GuardedBy("this")
  private Map<ServerId, Waiting> waiting = Map.of();

  @GuardedBy("this")
  private boolean failing;

  public DrainWatcher(IpvsBackend backend, Duration every, Sink sink) {
    this(backend, every, sink, true);
  }

  /** {@code checkOnChange} false: only the periodic checks (tests call {@link #check} directly). */
  DrainWatcher(IpvsBackend backend, Duration every, Sink sink, boolean checkOnChange) {
    this.checkOnChange = checkOnChange;
    this.backend = Objects.requireNonNull(backend);
    this.every = every;
    this.sink = Objects.requireNonNull(sink);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lvs-pulse-drain");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the periodic check. */
  public void start() {
    thread.scheduleWithFixedDelay(
        this::checkSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void accept(MonitorSnapshot s) {
    Map<ServerId, Waiting> next = new LinkedHashMap<>();
    for (ServerView v : s.servers()) {
      if (v.draining() || !v.admin().awaitingDrain()) {
        continue;
      }
      VirtualService vs = v.virtual();
      Optional<ServiceKey> key =
          ConfigTables.inIpvs(vs) ? Optional.of(ConfigTables.key(vs)) : Optional.empty();
      next.put(
          v.id(),
          new Waiting(
              v.id(),
              v.admin().since(),
              key,
              ConfigTables.destinationAddress(
                  vs, v.server(), v.drainNetwork().orElse(s.config().global().network())),
              vs.protocol() == Protocol.TCP));
    }
    boolean added;
    synchronized (this) {
      added = !waiting.keySet().containsAll(next.keySet());
      waiting = next;
    }
    if (added && checkOnChange) {
      try {
        thread.execute(this::checkSafely); // a new maintenance: look at once
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** Whether a server with these counters is drained (see the class comment). */
  public static boolean isDrained(IpvsConnections.Counts c, boolean tcp) {
    return tcp ? c.active() == 0 : c.total() == 0;
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      log.error("drain check failed", e);
    }
  }

  /** One check (tests call it directly); never two at once. */
  void check() {
    synchronized (checking) {
      checkNow();
    }
  }

  private void checkNow() {
    List<Waiting> now;
    synchronized (this) {
      now = new ArrayList<>(waiting.values());
    }
    if (now.isEmpty()) {
      return;
    }
    IpvsConnections conns;
    try {
      conns = backend.connections();
    } catch (IpvsException e) {
      synchronized (this) {
        if (!failing) {
          log.warn(
              "cannot read the kernel's connection counters ({}): {} server(s) in maintenance stay"
                  + " at weight 0 until they can be read",
              e.getMessage(),
              now.size());
        }
        failing = true;
      }
      return;
    }
    synchronized (this) {
      if (failing) {
        log.info("the kernel's connection counters can be read again");
      }
      failing = false;
    }
    for (Waiting w : now) {
      Optional<IpvsConnections.Counts> c = w.key().flatMap(k -> conns.of(k, w.dest()));
      IpvsConnections.Counts counts = c.orElse(IpvsConnections.Counts.ZERO);
      if (!isDrained(counts, w.tcp())) {
        log.debug(
            "server {} in maintenance: {} active, {} inactive connections left",
            w.id(),
            counts.active(),
            counts.inactive());
        continue;
      }
      String why =
          c.isEmpty()
              ? "not in this kernel's table"
              : (w.tcp()
                  ? "no active connection (" + counts.inactive() + " closing)"
                  : "no connection entry left");
      sink.drained(w.id(), w.since(), why);
      synchronized (this) {
        if (waiting.containsKey(w.id()) && waiting.get(w.id()).since().equals(w.since())) {
          Map<ServerId, Waiting> m = new LinkedHashMap<>(waiting);
          m.remove(w.id());
          waiting = m;
        }
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
