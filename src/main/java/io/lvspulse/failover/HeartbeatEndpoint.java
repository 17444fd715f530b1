package io.lvspulse.failover;

import io.lvspulse.net.Addresses;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat sockets: one UDP socket per distinct partner address (public, private), each bound
 * to {@code heartbeat_port} (all local addresses, as pulse) and <em>connected</em> to that partner
 * address and its heartbeat port. It sends there (once per distinct address) and hands every
 * received datagram, with the codec's verdict, to a {@link Receiver} on the socket's receive
 * thread.
 *
 * <p>Source filtering happens in the kernel, before any buffer (issue 9 item 5): a connected UDP
 * socket only receives datagrams from its peer, so a flood from any other address never enters our
 * receive buffers and cannot push genuine heartbeats out of them (the kernel drops it, or answers
 * port-unreachable at its own rate limit). Each socket asks for a {@value #RECEIVE_BUFFER}-byte
 * receive buffer (the kernel caps it at {@code net.core.rmem_max}) for floods that spoof the
 * partner's address. pulse sends from its bound {@code heartbeat_port}, as lvs-pulse does, so the
 * partner's source port is its heartbeat port.
 */
public final class HeartbeatEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatEndpoint.class);
  private static final int BUFFER = 2048;

  /** The receive buffer each socket asks for. */
  static final int RECEIVE_BUFFER = 1 << 20;

  /** Gets every received datagram's verdict, on a receive thread. */
  @FunctionalInterface
  public interface Receiver {
    /**
     * @param decoded the codec's verdict
     * @param from the datagram's source
     */
    void onPacket(HeartbeatCodec.Decoded decoded, InetSocketAddress from);
  }

  private final List<Path> paths;
  private final HeartbeatCodec codec;
  private final Receiver receiver;
  private volatile boolean closed;

  /** Gets the partner's admin relay datagrams ({@link AdminRelayCodec}), on the receive thread. */
  @FunctionalInterface
  public interface AdminReceiver {
    void onDatagram(byte[] data, int length, InetSocketAddress from);
  }

  // Set once by the daemon after start; read on the receive threads.
  private volatile @org.jspecify.annotations.Nullable AdminReceiver adminReceiver;

  /** One partner address: its connected socket and receive thread. */
  private record Path(InetSocketAddress to, DatagramSocket socket, Thread thread) {}

  private HeartbeatEndpoint(List<Path> paths, HeartbeatCodec codec, Receiver receiver) {
    this.paths = paths;
    this.codec = codec;
    this.receiver = receiver;
  }

  /**
   * Binds one socket per distinct partner address to {@code bind}, connects it to that address and
   * {@code partnerPort}, and starts receiving.
   *
   * @param bind local address and port (wildcard address and {@code heartbeat_port} for the daemon)
   * @param partnerAddresses the partner's public and private addresses, in that order
   * @param partnerPort the partner's heartbeat port (its source port too)
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
    Objects.requireNonNull(codec);
    Objects.requireNonNull(receiver);
    List<Path> paths = new ArrayList<>();
    HeartbeatEndpoint ep = new HeartbeatEndpoint(paths, codec, receiver);
    try {
      for (InetAddress a : new LinkedHashSet<>(partnerAddresses)) {
        InetSocketAddress to = new InetSocketAddress(a, partnerPort);
        DatagramSocket s = new DatagramSocket(null);
        try {
          s.setReuseAddress(true); // one socket per partner address on the same port
          s.setReceiveBufferSize(RECEIVE_BUFFER);
          s.bind(bind);
          s.connect(to);
        } catch (SocketException e) {
          s.close();
          throw new IOException(
              "cannot bind the heartbeat socket to "
                  + bind
                  + " and connect it to "
                  + to
                  + ": "
                  + e.getMessage(),
              e);
        }
        Thread t = new Thread(() -> ep.receiveLoop(s), "heartbeat-rx-" + Addresses.canonical(a));
        t.setDaemon(true);
        paths.add(new Path(to, s, t));
      }
    } catch (IOException e) {
      ep.close();
      throw e;
    }
    for (Path p : paths) {
      p.thread().start();
    }
    return ep;
  }

  /** Sends {@code heartbeat} to each destination; returns how many datagrams were sent. */
  public int send(Heartbeat heartbeat) {
    int n = 0;
    byte[] payload = codec.encode(heartbeat); // one message, over each path
    for (Path p : paths) {
      try {
        p.socket().send(new DatagramPacket(payload, payload.length));
        n++;
      } catch (IOException e) {
        // PortUnreachableException: an ICMP error of an earlier datagram (the partner is down)
        if (!closed) {
          log.debug("heartbeat to {} not sent: {}", p.to(), e.toString());
        }
      }
    }
    return n;
  }

  /**
   * Hands every datagram from the partner that starts with the admin relay's magic to {@code r}
   * instead of the heartbeat codec (the one hook the admin relay needs in the heartbeat path).
   */
  public void onAdmin(AdminReceiver r) {
    this.adminReceiver = r;
  }

  /** Sends {@code payload} (an admin relay datagram) to {@code to}; false if it could not. */
  public boolean sendAdmin(byte[] payload, InetSocketAddress to) {
    Path path = null;
    for (Path p : paths) {
      if (p.to().equals(to)) {
        path = p;
      }
    }
    if (path == null) {
      log.debug("admin relay datagram to {}: not a partner address, not sent", to);
      return false;
    }
    try {
      path.socket().send(new DatagramPacket(payload, payload.length));
      return true;
    } catch (IOException e) {
      if (!closed) {
        log.debug("admin relay datagram to {} not sent: {}", to, e.getMessage());
      }
      return false;
    }
  }

  /** Where heartbeats go. */
  public List<InetSocketAddress> destinations() {
    return paths.stream().map(Path::to).toList();
  }

  /** The bound local address of the first socket (the port is useful when binding port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) paths.get(0).socket().getLocalSocketAddress();
  }

  /** The receive buffer the kernel granted (the first socket's). */
  public int receiveBufferSize() {
    try {
      return paths.get(0).socket().getReceiveBufferSize();
    } catch (SocketException e) {
      return -1;
    }
  }

  private void receiveLoop(DatagramSocket socket) {
    byte[] buf = new byte[BUFFER];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (!closed) {
      p.setLength(buf.length);
      try {
        socket.receive(p);
      } catch (PortUnreachableException e) {
        continue; // the partner's port was closed when we sent: it is down or restarting
      } catch (IOException e) {
        if (socket.isClosed() || closed) {
          return;
        }
        log.warn("heartbeat socket receive failed: {}", e.getMessage());
        continue;
      }
      InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
      if (AdminRelayCodec.isAdminRelay(buf, p.getLength())) {
        // The admin relay shares these sockets; it is not a heartbeat (the hook: see onAdmin).
        AdminReceiver r = adminReceiver;
        if (r != null) {
          try {
            r.onDatagram(Arrays.copyOf(buf, p.getLength()), p.getLength(), from);
          } catch (RuntimeException e) {
            log.error("admin relay receiver failed", e);
          }
        } else {
          log.debug("admin relay datagram from {} before the relay is set up: dropped", from);
        }
        continue;
      }
      try {
        receiver.onPacket(codec.decode(buf, p.getLength()), from);
      } catch (RuntimeException e) {
        log.error("heartbeat receiver failed", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Path p : paths) {
      p.socket().close();
    }
    for (Path p : paths) {
      if (p.thread().isAlive()) {
        try {
          p.thread().join(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
