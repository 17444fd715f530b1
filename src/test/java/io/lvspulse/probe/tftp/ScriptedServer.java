package io.lvspulse.probe.tftp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted TFTP "server" for tests: listens on a loopback address, and for every datagram calls
 * {@link Script#onRequest}, which may answer from any socket it likes (hostile replies included).
 * Records every datagram it receives. Closed by {@link #close()} (stops its thread).
 */
final class ScriptedServer implements AutoCloseable {
  interface Script {
    void onRequest(ScriptedServer server, byte[] request, InetSocketAddress from)
        throws IOException;
  }

  final DatagramSocket socket;
  private final Thread thread;
  private final List<byte[]> received = new CopyOnWriteArrayList<>();
  private final List<DatagramSocket> extra = new ArrayList<>();
  private volatile boolean closed;

  ScriptedServer(String address, Script script) throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
    socket.setSoTimeout(50);
    thread =
        new Thread(
            () -> {
              byte[] buf = new byte[65536];
              while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                  socket.receive(p);
                } catch (SocketTimeoutException e) {
                  continue;
                } catch (IOException e) {
                  return;
                }
                byte[] req = Arrays.copyOf(p.getData(), p.getLength());
                received.add(req);
                try {
                  script.onRequest(this, req, (InetSocketAddress) p.getSocketAddress());
                } catch (IOException e) {
                  // a script's send may fail when the probe has gone: ignore
                }
              }
            },
            "scripted-tftp-server");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  List<byte[]> received() {
    return received;
  }

  /** A new socket (a new TID) on {@code address}, closed with the server. */
  synchronized DatagramSocket newSocket(String address) throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
    extra.add(s);
    return s;
  }

  static void send(DatagramSocket from, InetSocketAddress to, byte[] data) throws IOException {
    from.send(new DatagramPacket(data, data.length, to));
  }

  static void send(DatagramSocket from, InetSocketAddress to, TftpPacket p) throws IOException {
    ByteBuffer b = p.encode();
    byte[] a = new byte[b.remaining()];
    b.get(a);
    send(from, to, a);
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join(2000);
    socket.close();
    synchronized (this) {
      for (DatagramSocket s : extra) {
        s.close();
      }
    }
  }

  static boolean isSocketClosed(SocketException e) {
    return e.getMessage() != null && e.getMessage().contains("closed");
  }
}
