package io.lvspulse.failover;

import io.lvspulse.net.Addresses;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat socket: one UDP socket bound to {@code heartbeat_port} (all addresses, as pulse),
 * that sends to the partner's public and private address (once per distinct address) and hands
 * every received datagram, with its verdict, to a {@link Receiver} on its own receive thread.
 *
 * <p>A datagram is accepted only if its source address is one of the partner's (pulse checks the
 * address, not the port) and the codec accepts its payload.
 */
public final class HeartbeatEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatEndpoint.class);
  private static final int BUFFER = 1500;

  /** Gets every received datagram's verdict, on the receive thread. */
  @FunctionalInterface
  public interface Receiver {
    /**
     * @param result the verdict
     * @param state the announced state when {@code result} is OK
     * @param from the datagram's source
     * @param detail why it was rejected ("" when OK)
     */
    void onPacket(
        RxResult result, Optional<HeartbeatState> state, InetSocketAddress from, String detail);
  }

  private final DatagramSocket socket;
  private final List<InetSocketAddress> destinations;
  private final Set<InetAddress> partnerAddresses;
  private final HeartbeatCodec codec;
  private final Receiver receiver;
  private final Thread thread;
  private volatile boolean closed;

  private HeartbeatEndpoint(
      DatagramSocket socket,
      Set<InetAddress> partnerAddresses,
      int partnerPort,
      HeartbeatCodec codec,
      Receiver receiver) {
    this.socket = socket;
    this.partnerAddresses = Set.copyOf(partnerAddresses);
    List<InetSocketAddress> d = new ArrayList<>();
    for (InetAddress a : new LinkedHashSet<>(partnerAddresses)) {
      d.add(new InetSocketAddress(a, partnerPort));
    }
    this.destinations = List.copyOf(d);
    this.codec = codec;
    this.receiver = receiver;
    this.thread = new Thread(this::receiveLoop, "heartbeat-rx");
    thread.setDaemon(true);
  }

  /**
   * Binds {@code bind} and starts receiving.
   *
   * @param bind local address and port (wildcard address and {@code heartbeat_port} for the daemon)
   * @param partnerAddresses the partner's public and private addresses, in that order
   * @param partnerPort the partner's heartbeat port
   */
  public static HeartbeatEndpoint open(
      InetSocketAddress bind,
      Set<InetAddress> partnerAddresses,
      int partnerPort,
      HeartbeatCodec codec,
      Receiver receiver)
      throws IOException {
    if (partnerAddresses.isEmpty()) {
      throw new IllegalArgumentException("no partner address");
    }
    DatagramSocket s = new DatagramSocket(null);
    try {
      s.setReuseAddress(true);
      s.bind(bind);
    } catch (SocketException e) {
      s.close();
      throw new IOException(
          "cannot bind the heartbeat socket to " + bind + ": " + e.getMessage(), e);
    }
    HeartbeatEndpoint ep =
        new HeartbeatEndpoint(
            s, partnerAddresses, partnerPort, Objects.requireNonNull(codec), receiver);
    ep.thread.start();
    return ep;
  }

  /** Sends {@code state} to each destination; returns how many datagrams were sent. */
  public int send(HeartbeatState state) {
    int n = 0;
    for (InetSocketAddress to : destinations) {
      byte[] payload = codec.encode(state);
      try {
        socket.send(new DatagramPacket(payload, payload.length, to));
        n++;
      } catch (IOException e) {
        if (!closed) {
          log.debug("heartbeat to {} not sent: {}", to, e.getMessage());
        }
      }
    }
    return n;
  }

  /** Where heartbeats go. */
  public List<InetSocketAddress> destinations() {
    return destinations;
  }

  /** The bound local address (the port is useful when binding port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  private void receiveLoop() {
    byte[] buf = new byte[BUFFER];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (!closed) {
      p.setLength(buf.length);
      try {
        socket.receive(p);
      } catch (IOException e) {
        if (!closed) {
          log.warn("heartbeat socket receive failed: {}", e.getMessage());
        }
        if (socket.isClosed()) {
          return;
        }
        continue;
      }
      InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
      try {
        deliver(buf, p.getLength(), from);
      } catch (RuntimeException e) {
        log.error("heartbeat receiver failed", e);
      }
    }
  }

  private void deliver(byte[] buf, int length, InetSocketAddress from) {
    if (!partnerAddresses.contains(from.getAddress())) {
      receiver.onPacket(
          RxResult.WRONG_SOURCE,
          Optional.empty(),
          from,
          "heartbeat from " + Addresses.canonical(from.getAddress()) + ", not from the partner");
      return;
    }
    HeartbeatCodec.Decoded d = codec.decode(buf, length);
    if (d instanceof HeartbeatCodec.Accepted a) {
      receiver.onPacket(RxResult.OK, Optional.of(a.state()), from, "");
    } else if (d instanceof HeartbeatCodec.Rejected r) {
      receiver.onPacket(r.result(), Optional.empty(), from, r.detail());
    }
  }

  @Override
  public void close() {
    closed = true;
    socket.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
