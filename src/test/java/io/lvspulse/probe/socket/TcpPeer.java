package io.lvspulse.probe.socket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real TCP peer on 127.0.0.1 (ephemeral port) for socket-probe tests: one thread accepts, and for
 * each connection runs {@link Behaviour#serve} on its own short-lived thread. Records what each
 * client sent. {@link #close()} closes the listener and every accepted socket and stops the
 * threads.
 */
final class TcpPeer implements AutoCloseable {
  interface Behaviour {
    void serve(Socket s) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final List<Thread> workers = new CopyOnWriteArrayList<>();
  final List<byte[]> requests = new CopyOnWriteArrayList<>();

  /**
   * A peer that reads each request up to {@code terminator}, records it, and answers {@code reply}.
   */
  static TcpPeer recording(String terminator, String reply) throws IOException {
    TcpPeer[] self = new TcpPeer[1];
    TcpPeer p = new TcpPeer(s -> self[0].readUntilThenReply(terminator, reply).serve(s));
    self[0] = p;
    return p;
  }

  TcpPeer(Behaviour behaviour) throws IOException {
    this(behaviour, "127.0.0.1");
  }

  /** A peer on {@code host} ({@code ::1} for IPv6). */
  TcpPeer(Behaviour behaviour, String host) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName(host));
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                Socket s;
                try {
                  s = server.accept();
                } catch (IOException e) {
                  return;
                }
                accepted.add(s);
                Thread w =
                    new Thread(
                        () -> {
                          try {
                            behaviour.serve(s);
                          } catch (IOException | InterruptedException e) {
                            // the probe went away, or the test is closing
                          }
                        },
                        "tcp-peer-worker");
                w.setDaemon(true);
                workers.add(w);
                w.start();
              }
            },
            "tcp-peer-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  /** Writes {@code reply} at once and closes. */
  static Behaviour replies(String reply) {
    return s -> {
      s.getOutputStream().write(reply.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      s.close();
    };
  }

  /** Accepts and holds the connection open, saying nothing, until the test closes the peer. */
  static Behaviour silent() {
    return s -> {
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // swallow whatever comes
      }
    };
  }

  /** Reads until {@code terminator} (or EOF), records it, then writes {@code reply} and closes. */
  private Behaviour readUntilThenReply(String terminator, String reply) {
    return s -> {
      byte[] req = readUntil(s.getInputStream(), terminator);
      requests.add(req);
      s.getOutputStream().write(reply.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.close();
    };
  }

  static byte[] readUntil(InputStream in, String terminator) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] t = terminator.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int c;
    while (b.size() < 65536 && (c = in.read()) >= 0) {
      b.write(c);
      byte[] sofar = b.toByteArray();
      if (sofar.length >= t.length
          && java.util.Arrays.equals(
              sofar, sofar.length - t.length, sofar.length, t, 0, t.length)) {
        break;
      }
    }
    return b.toByteArray();
  }

  /** Ports that were free a moment ago (a closed listener): a connect to them is refused. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    for (Socket s : accepted) {
      s.close();
    }
    acceptor.join(2000);
    for (Thread w : workers) {
      w.join(2000);
    }
  }
}
