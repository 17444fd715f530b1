package io.lvspulse.daemon;

import io.lvspulse.admin.AdminService;
import io.lvspulse.admin.PartnerRelay;
import io.lvspulse.failover.AdminRelayCodec;
import io.lvspulse.failover.HeartbeatEndpoint;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.net.Addresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries admin changes between the two directors over the heartbeat socket ({@link
 * AdminRelayCodec}, authenticated with the heartbeat key): a change made here is sent to each of
 * the partner's addresses and resent until the partner acknowledges it (at most {@link #WAIT}); a
 * change the partner sends is applied here (on its own thread, never on the heartbeat receive
 * thread) and acknowledged once applied.
 */
final class PartnerAdminChannel implements PartnerRelay, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PartnerAdminChannel.class);

  /** How long a change waits for the partner's acknowledgement. */
  static final Duration WAIT = Duration.ofSeconds(2);

  /** When a change is sent again without an acknowledgement (ms after the first send). */
  private static final List<Long> RESEND_AT = List.of(0L, 300L, 900L);

  private final AdminRelayCodec codec;
  private final HeartbeatEndpoint endpoint;
  private final AdminService service;
  private final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
  private final ExecutorService applier =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "lvs-pulse-admin-relay");
            t.setDaemon(true);
            return t;
          });

  PartnerAdminChannel(AdminRelayCodec codec, HeartbeatEndpoint endpoint, AdminService service) {
    this.codec = Objects.requireNonNull(codec);
    this.endpoint = Objects.requireNonNull(endpoint);
    this.service = Objects.requireNonNull(service);
  }

  static int code(AdminState s) {
    return switch (s) {
      case ENABLED -> 1;
      case DRAIN -> 2;
      case MAINTENANCE -> 3;
    };
  }

  static AdminState state(int code) {
    return switch (code) {
      case 1 -> AdminState.ENABLED;
      case 2 -> AdminState.DRAIN;
      case 3 -> AdminState.MAINTENANCE;
      default -> throw new IllegalArgumentException("admin state " + code);
    };
  }

  @Override
  public Outcome relay(ServerId id, AdminState state) {
    AdminRelayCodec.Encoded e = codec.change(id.virtual(), id.address(), code(state));
    CompletableFuture<Void> acked = new CompletableFuture<>();
    pending.put(e.sequence(), acked);
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < RESEND_AT.size(); i++) {
        long wait = RESEND_AT.get(i) - (System.nanoTime() - t0) / 1_000_000;
        if (wait > 0) {
          try {
            acked.get(wait, TimeUnit.MILLISECONDS);
            return Outcome.CONFIRMED;
          } catch (TimeoutException x) {
            // not yet: send again
          }
        }
        for (InetSocketAddress to : endpoint.destinations()) {
          endpoint.sendAdmin(e.bytes(), to);
        }
      }
      long left = WAIT.toMillis() - (System.nanoTime() - t0) / 1_000_000;
      acked.get(Math.max(1, left), TimeUnit.MILLISECONDS);
      return Outcome.CONFIRMED;
    } catch (TimeoutException x) {
      log.warn(
          "the partner director did not confirm admin change {} -> {} within {} s: run it there"
              + " too",
          id,
          state.label(),
          WAIT.toSeconds());
      return Outcome.UNCONFIRMED;
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      return Outcome.UNCONFIRMED;
    } catch (ExecutionException x) {
      return Outcome.UNCONFIRMED;
    } finally {
      pending.remove(e.sequence());
    }
  }

  /** A datagram with the admin relay's magic from the partner (the heartbeat receive thread). */
  void onDatagram(byte[] data, int length, InetSocketAddress from) {
    AdminRelayCodec.Message m = codec.decode(data, length);
    if (m instanceof AdminRelayCodec.Ack a) {
      if (a.epoch() == codec.epoch()) {
        CompletableFuture<Void> f = pending.get(a.sequence());
        if (f != null) {
          f.complete(null);
        }
      }
    } else if (m instanceof AdminRelayCodec.Duplicate d) {
      endpoint.sendAdmin(codec.ack(d.change()), from); // our first ack may have been lost
    } else if (m instanceof AdminRelayCodec.Change c) {
      try {
        applier.execute(() -> apply(c, from));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    } else if (m instanceof AdminRelayCodec.Rejected r) {
      log.warn(
          "admin relay datagram from {} rejected: {}",
          Addresses.canonical(from.getAddress()),
          r.reason());
    }
  }

  private void apply(AdminRelayCodec.Change c, InetSocketAddress from) {
    ServerId id = ServerId.of(c.virtual(), c.server().getAddress(), c.server().getPort());
    AdminState s = state(c.state());
    log.info(
        "partner {} asks: server {} admin {}",
        Addresses.canonical(from.getAddress()),
        id,
        s.label());
    if (service.applyFromPartner(id, s, from.getAddress())) {
      endpoint.sendAdmin(codec.ack(c), from);
    }
  }

  @Override
  public void close() {
    applier.shutdownNow();
  }
}
