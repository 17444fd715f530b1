package io.lvspulse.testing;

import io.lvspulse.probe.tftp.TftpCodec;
import io.lvspulse.probe.tftp.TftpPacket;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A TFTP client load generator, run as its own JVM inside the lab's client namespace (a namespace
 * cannot be entered by a thread of the test JVM). It GETs one file through the VIP again and again
 * and records every transfer; the project's {@link TftpCodec} encodes and decodes the packets.
 *
 * <pre>
 * TftpLoad run VIP FILE OUT.csv DURATION_MS STICKY_PER_S FRESH_PER_S TIMEOUT_MS STICKY,... FRESH,...
 * TftpLoad once VIP FILE OUT.csv CLIENT:PORT TIMEOUT_MS
 * TftpLoad ping HOST WAIT_MS
 * </pre>
 *
 * <p>{@code run}: sticky transfers round-robin over the STICKY client addresses (repeat clients,
 * which hold an IPVS persistence template) plus fresh transfers, each from the next unused FRESH
 * address (a client IPVS has never seen). Each transfer binds CLIENT:ephemeral, sends the RRQ to
 * VIP:69, ACKs every DATA to the address and port it came from (VIP:TID through the director in
 * direct routing). TIMEOUT is {@code MS} (one timeout per packet, no retransmission) or {@code
 * MSxN}: on a timeout the last packet (the RRQ, or the last ACK) is sent again, at most N times per
 * transfer, as real TFTP clients do (RFC 1350 section 2; PXE ROMs retransmit several times), so a
 * transfer fails only when its retransmissions go unanswered too. The file names the server that
 * sent it ({@code served by rs1}). One CSV row per transfer: {@code
 * start_ms,end_ms,client,client_port,kind,ok,server,cause}.
 *
 * <p>{@code ping}: sends an RRQ for a missing file every 20 ms until any TFTP answer (exit 0) or
 * WAIT_MS (exit 1): a freshly started tftpd is serving.
 */
public final class TftpLoad {
  private TftpLoad() {}

  /** One finished transfer, as in the CSV. */
  public record Transfer(
      long startMs,
      long endMs,
      String client,
      int clientPort,
      String kind,
      boolean ok,
      String server,
      String cause) {

    String csv() {
      return String.join(
          ",",
          Long.toString(startMs),
          Long.toString(endMs),
          client,
          Integer.toString(clientPort),
          kind,
          ok ? "1" : "0",
          server,
          cause.replace(',', ';'));
    }

    /** Parses one CSV row. */
    public static Transfer parse(String line) {
      String[] f = line.split(",", -1);
      return new Transfer(
          Long.parseLong(f[0]),
          Long.parseLong(f[1]),
          f[2],
          Integer.parseInt(f[3]),
          f[4],
          f[5].equals("1"),
          f[6],
          f[7]);
    }
  }

  /** Reads a CSV written by {@code run}, sorted by start time. */
  public static List<Transfer> read(Path csv) throws IOException {
    List<Transfer> out = new ArrayList<>();
    for (String l : Files.readAllLines(csv)) {
      if (!l.isBlank()) {
        out.add(Transfer.parse(l));
      }
    }
    out.sort(java.util.Comparator.comparingLong(Transfer::startMs));
    return out;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 6 && args[0].equals("once")) {
      Run r =
          new Run(new String[] {"run", args[1], args[2], args[3], "0", "0", "0", args[5], "", ""});
      r.once(args[4]);
      return;
    }
    if (args.length >= 3 && args[0].equals("ping")) {
      System.exit(ping(args[1], Long.parseLong(args[2])) ? 0 : 1);
    }
    if (args.length != 10 || !args[0].equals("run")) {
      System.err.println(
          "usage: TftpLoad run VIP FILE OUT DURATION_MS STICKY_PER_S FRESH_PER_S TIMEOUT_MS STICKY,.. FRESH,..\n"
              + "       (creating OUT.stop ends the run early: the transfers in flight finish)\n"
              + "       TftpLoad ping HOST WAIT_MS");
      System.exit(2);
    }
    new Run(args).run();
  }

  private static boolean ping(String host, long waitMs) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + waitMs;
    try (DatagramChannel ch = DatagramChannel.open();
        Selector selector = Selector.open()) {
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ);
      ByteBuffer rrq = new TftpPacket.Rrq("lvs-pulse-e2e-ping", "octet").encode();
      ByteBuffer in = ByteBuffer.allocate(1024);
      while (System.currentTimeMillis() < deadline) {
        ch.send(rrq.duplicate(), new InetSocketAddress(host, 69));
        selector.select(20); // an answer, or 20 ms and the RRQ goes again
        selector.selectedKeys().clear();
        in.clear();
        if (ch.receive(in) != null) {
          in.flip();
          if (TftpCodec.decode(in) instanceof TftpCodec.Decoded) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static final class Run {
    final InetSocketAddress vip;
    final String file;
    final Path out;
    long durationMs;
    final double stickyRate;
    final double freshRate;
    final long timeoutMs;
    final int retransmits;
    final List<String> sticky;
    final List<String> fresh;
    final Selector selector;
    final PrintWriter csv;
    final Map<SelectionKey, Active> active = new HashMap<>();

    /** Created by the test to end the run early: no new transfer starts, the ones in flight end. */
    final Path stop;

    Run(String[] a) throws IOException {
      vip = new InetSocketAddress(InetAddress.getByName(a[1]), 69);
      file = a[2];
      out = Path.of(a[3]);
      stop = Path.of(a[3] + ".stop");
      durationMs = Long.parseLong(a[4]);
      stickyRate = Double.parseDouble(a[5]);
      freshRate = Double.parseDouble(a[6]);
      String[] t = a[7].split("x", 2);
      timeoutMs = Long.parseLong(t[0]);
      retransmits = t.length == 2 ? Integer.parseInt(t[1]) : 0;
      sticky = a[8].isEmpty() ? List.of() : List.of(a[8].split(","));
      fresh = a[9].isEmpty() ? List.of() : List.of(a[9].split(","));
      selector = Selector.open();
      csv = new PrintWriter(Files.newBufferedWriter(out));
    }

    /** Each row as soon as the transfer ends: the test reads the file while the load runs. */
    void record(Transfer t) {
      csv.println(t.csv());
      csv.flush();
    }

    final class Active {
      final long start = System.currentTimeMillis();
      final String client;
      final String kind;
      final DatagramChannel ch;
      final SelectionKey key;
      final int port;
      final StringBuilder data = new StringBuilder();
      long deadline;
      int block;
      int resent;
      TftpPacket last;
      SocketAddress lastTo;
      SocketAddress peer;

      Active(String client, String kind) throws IOException {
        this.client = client;
        this.kind = kind;
        ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress(InetAddress.getByName(client), forcedPort));
        ch.configureBlocking(false);
        port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        key = ch.register(selector, SelectionKey.OP_READ);
        send(new TftpPacket.Rrq(file, "octet"), vip);
      }

      void send(TftpPacket p, SocketAddress to) throws IOException {
        ch.send(p.encode(), to);
        last = p;
        lastTo = to;
        deadline = System.currentTimeMillis() + timeoutMs;
      }

      /** On a timeout: sends the last packet again if retransmissions are left. */
      boolean retransmit() {
        if (resent >= retransmits) {
          return false;
        }
        resent++;
        try {
          send(last, lastTo);
          return true;
        } catch (IOException e) {
          return false;
        }
      }

      void readable() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        SocketAddress from;
        while ((from = ch.receive(buf)) != null) {
          buf.flip();
          TftpCodec.DecodeResult r = TftpCodec.decode(buf);
          buf.clear();
          if (!(r instanceof TftpCodec.Decoded d)) {
            continue;
          }
          if (d.packet() instanceof TftpPacket.Error e) {
            if (peer == null || peer.equals(from)) {
              finish(false, "error " + e.code() + " " + e.message());
              return;
            }
          } else if (d.packet() instanceof TftpPacket.Data dp) {
            if (peer == null && dp.block() == 1) {
              peer = from;
            }
            if (!from.equals(peer)) {
              continue;
            }
            if (dp.block() == block + 1) {
              block = dp.block();
              data.append(new String(dp.data(), StandardCharsets.ISO_8859_1));
              send(new TftpPacket.Ack(block), from);
              if (dp.length() < TftpPacket.DEFAULT_BLOCK_SIZE) {
                finish(true, "ok");
                return;
              }
            }
          }
        }
      }

      void finish(boolean ok, String cause) {
        key.cancel();
        try {
          ch.close();
        } catch (IOException e) {
          // closing a UDP socket does not fail in practice
        }
        active.remove(key);
        String server = "";
        if (data.toString().startsWith("served by ")) {
          server = data.substring(10, data.indexOf("\n") < 0 ? data.length() : data.indexOf("\n"));
        }
        if (ok && server.isEmpty()) {
          ok = false;
          cause = "unexpected content";
        }
        if (resent > 0) {
          cause += " (" + resent + (resent == 1 ? " retransmission)" : " retransmissions)");
        }
        record(
            new Transfer(
                start, System.currentTimeMillis(), client, port, kind, ok, server.strip(), cause));
      }
    }

    void start(String client, String kind) {
      try {
        Active a = new Active(client, kind);
        active.put(a.key, a);
      } catch (IOException e) {
        long now = System.currentTimeMillis();
        record(new Transfer(now, now, client, 0, kind, false, "", "start: " + e));
      }
    }

    /** One transfer from CLIENT:PORT ({@code ADDRESS:PORT}), recorded like the others. */
    void once(String clientAndPort) throws IOException {
      int colon = clientAndPort.lastIndexOf(':');
      forcedPort = Integer.parseInt(clientAndPort.substring(colon + 1));
      start(clientAndPort.substring(0, colon), "reuse");
      durationMs = 0;
      run();
    }

    int forcedPort;

    void run() throws IOException {
      long t0 = System.currentTimeMillis();
      long end = t0 + durationMs;
      double nextSticky = stickyRate > 0 && !sticky.isEmpty() ? t0 : Double.MAX_VALUE;
      double nextFresh =
          freshRate > 0 && !fresh.isEmpty() ? t0 + 500 / freshRate : Double.MAX_VALUE;
      int is = 0;
      int fi = 0;
      long stopCheckedAt = 0;
      while (true) {
        long now = System.currentTimeMillis();
        if (now < end && now - stopCheckedAt >= 100) {
          stopCheckedAt = now;
          if (Files.exists(stop)) {
            end = now;
          }
        }
        boolean running = now < end;
        if (running) {
          while (nextSticky <= now) {
            start(sticky.get(is++ % sticky.size()), "sticky");
            nextSticky += 1000 / stickyRate;
          }
          while (nextFresh <= now) {
            if (fi < fresh.size()) {
              start(fresh.get(fi++), "fresh");
            }
            nextFresh += 1000 / freshRate;
          }
        }
        for (Active a : new ArrayList<>(active.values())) {
          if (a.deadline <= now && !a.retransmit()) {
            a.finish(
                false,
                a.block == 0 ? "timeout waiting for DATA 1" : "timeout after DATA " + a.block);
          }
        }
        if (!running && active.isEmpty()) {
          break;
        }
        long wake = running ? (long) Math.min(Math.min(nextSticky, nextFresh), end) : now + 50;
        for (Active a : active.values()) {
          wake = Math.min(wake, a.deadline);
        }
        selector.select(Math.max(1, wake - System.currentTimeMillis()));
        for (SelectionKey k : selector.selectedKeys()) {
          Active a = active.get(k);
          if (a != null) {
            a.readable();
          }
        }
        selector.selectedKeys().clear();
      }
      csv.close();
    }
  }
}
