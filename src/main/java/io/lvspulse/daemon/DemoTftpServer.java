package io.lvspulse.daemon;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A tiny TFTP server for {@code lvs-pulse demo}: answers every RRQ with ERROR 1 "File not found"
 * from a new port, as tftpd-hpa does, so the native check says "OK - answer from server". It can be
 * taken down and brought back to show failure and re-entry. Loopback only.
 */
final class DemoTftpServer implements AutoCloseable {
  private static final byte[] NOT_FOUND = {
    0, 5, 0, 1, 'F', 'i', 'l', 'e', ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd', 0
  };

  private final InetSocketAddress address;
  private volatile @Nullable DatagramSocket socket;
  private volatile @Nullable Thread thread;

  DemoTftpServer(InetSocketAddress address) {
    if (!address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("demo servers listen on loopback only: " + address);
    }
    this.address = address;
  }

  InetSocketAddress address() {
    return address;
  }

  synchronized boolean up() {
    return socket != null;
  }

  /** Starts answering (binds the port). */
  synchronized void start() throws IOException {
    if (socket != null) {
      return;
    }
    DatagramSocket s = new DatagramSocket(null);
    s.setReuseAddress(true);
    s.bind(address);
    s.setSoTimeout(500);
    socket = s;
    Thread t =
        new Thread(() -> serve(s), "lvs-pulse-demo-tftp-" + address.getAddress().getHostAddress());
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Stops answering (closes the port: probes now see ICMP port unreachable). */
  synchronized void stop() {
    DatagramSocket s = socket;
    socket = null;
    if (s != null) {
      s.close();
    }
    Thread t = thread;
    thread = null;
    if (t != null) {
      t.interrupt();
    }
  }

  private void serve(DatagramSocket s) {
    byte[] buf = new byte[1500];
    while (!s.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        s.receive(p);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        return;
      }
      if (p.getLength() < 4 || buf[0] != 0 || buf[1] != 1) {
        continue; // only RRQs get an answer
      }
      try (DatagramSocket tid =
          new DatagramSocket(new InetSocketAddress(address.getAddress(), 0))) {
        tid.send(new DatagramPacket(NOT_FOUND, NOT_FOUND.length, p.getSocketAddress()));
      } catch (SocketException e) {
        // ignore: the demo just misses one answer
      } catch (IOException e) {
        // ignore
      }
    }
  }

  @Override
  public void close() {
    stop();
  }
}
