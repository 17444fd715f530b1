package io.lvspulse.bench;

import io.lvspulse.exec.ExecProcess;
import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal TFTP "server" for benchmarks: one UDP socket per simulated server (each on its own
 * loopback address), all on one selector thread. Every RRQ gets ERROR 1 "File not found" from the
 * probed address (from the listening socket itself, which the engine accepts as the server's TID).
 */
final class BenchResponder implements AutoCloseable {
  /** How long a launched responder may take to bind its sockets and say READY. */
  private static final Duration READY_WITHIN = Duration.ofMinutes(5);

  private static final byte[] NOT_FOUND = {
    0, 5, 0, 1, 'F', 'i', 'l', 'e', ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd', 0
  };

  private final Selector selector;
  private final List<DatagramChannel> channels = new ArrayList<>();
  private final List<InetSocketAddress> addresses = new ArrayList<>();
  private final Thread thread;
  private volatile boolean closed;
  private volatile long answered;

  /** Binds {@code n} servers at 127.10.x.y:{@code port} (y in 1..250). */
  BenchResponder(int n, int port) throws IOException {
    selector = Selector.open();
    try {
      for (int i = 0; i < n; i++) {
        InetAddress a =
            InetAddress.getByAddress(new byte[] {127, 10, (byte) (i / 250), (byte) (1 + i % 250)});
        InetSocketAddress sa = new InetSocketAddress(a, port);
        DatagramChannel ch = DatagramChannel.open();
        channels.add(ch);
        ch.configureBlocking(false);
        ch.bind(sa);
        ch.register(selector, SelectionKey.OP_READ);
        addresses.add(sa);
      }
    } catch (IOException e) {
      close();
      throw new IOException(
          "cannot bind " + n + " responder sockets (raise ulimit -n?): " + e.getMessage(), e);
    }
    thread = new Thread(this::run, "bench-responder");
    thread.setDaemon(true);
    thread.start();
  }

  /** The first {@code n} server addresses (as bound by a responder of that size). */
  static List<InetSocketAddress> addresses(int n, int port) throws IOException {
    List<InetSocketAddress> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(
          new InetSocketAddress(
              InetAddress.getByAddress(
                  new byte[] {127, 10, (byte) (i / 250), (byte) (1 + i % 250)}),
              port));
    }
    return l;
  }

  /**
   * Runs a responder in its own process (so its sockets and CPU are not counted in the
   * benchmark's): {@code BenchResponder N PORT}; prints READY, stops when stdin closes.
   */
  public static void main(String[] args) throws Exception {
    try (BenchResponder r =
        new BenchResponder(Integer.parseInt(args[0]), Integer.parseInt(args[1]))) {
      System.out.println("READY " + r.addresses.size());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for EOF
      }
    }
  }

  /**
   * Launches the responder process {@code request} (a {@code java ... BenchResponder N PORT}
   * command) and waits for its READY line; stop it by closing its stdin.
   */
  static ExecProcess launch(ExecRunner runner, ExecRequest request)
      throws IOException, InterruptedException {
    ExecProcess p = runner.launch(request, ExecProcess.Options.lines());
    String line = p.readLine(READY_WITHIN).orElse(null);
    if (line == null || !line.startsWith("READY")) {
      p.stop(Duration.ZERO);
      throw new IOException("benchmark responder did not start: " + line);
    }
    return p;
  }

  List<InetSocketAddress> addresses() {
    return addresses;
  }

  long answered() {
    return answered;
  }

  private void run() {
    ByteBuffer rx = ByteBuffer.allocateDirect(2048);
    ByteBuffer tx = ByteBuffer.allocateDirect(NOT_FOUND.length);
    tx.put(NOT_FOUND).flip();
    long count = 0;
    while (!closed) {
      try {
        selector.select(100);
        for (SelectionKey k : selector.selectedKeys()) {
          DatagramChannel ch = (DatagramChannel) k.channel();
          for (int i = 0; i < 16; i++) {
            rx.clear();
            SocketAddress from = ch.receive(rx);
            if (from == null) {
              break;
            }
            if (rx.position() > 2 && rx.get(1) == 1) {
              ch.send(tx.duplicate(), from);
              count++;
            }
          }
        }
        selector.selectedKeys().clear();
        answered = count;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      selector.wakeup();
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (DatagramChannel c : channels) {
      try {
        c.close();
      } catch (IOException e) {
        // closing
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing
    }
  }
}
