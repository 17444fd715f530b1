package io.lvspulse.announce;

import io.lvspulse.testing.Pause;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A scripted stand-in for BIRD's control socket, for the failure modes a real BIRD cannot be made
 * to show on demand (silence, a reply cut in the middle, garbage, a trickle of bytes). Each
 * connection gets {@link #greeting} (unless {@code null}: silent), then every command line is
 * answered with {@link #answer}'s bytes. An answer of {@link #HANG} sends nothing; {@link #CLOSE}
 * closes the connection. The real BIRD is exercised by {@code BirdAnnouncerIT}.
 */
public final class FakeBird implements AutoCloseable {
  public static final String HANG = "<hang>";
  public static final String CLOSE = "<close>";

  public final Path socket;
  public volatile @Nullable String greeting = "0001 BIRD 2.0.12 ready.\n";
  public volatile Function<String, String> answer =
      c ->
          "9001 syntax error, unexpected CF_SYM_UNDEFINED, expecting CF_SYM_KNOWN or TEXT or ALL\n";
  public volatile int chunk = Integer.MAX_VALUE;
  public final List<String> commands = Collections.synchronizedList(new ArrayList<>());
  public final AtomicInteger accepted = new AtomicInteger();
  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final Map<SocketChannel, Thread> clients = new ConcurrentHashMap<>();

  public FakeBird(Path dir) throws IOException {
    socket = dir.resolve("bird.ctl");
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    acceptor = new Thread(this::acceptLoop, "fake-bird");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Answers from a fixed map (unknown commands: a parse error). */
  public FakeBird answers(Map<String, String> m) {
    answer = c -> m.getOrDefault(c, "9001 syntax error, unexpected CF_SYM_UNDEFINED\n");
    return this;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel c = server.accept();
        accepted.incrementAndGet();
        Thread t = new Thread(() -> serve(c), "fake-bird-client");
        t.setDaemon(true);
        clients.put(c, t);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel c) {
    try (c) {
      String g = greeting;
      if (g == null) {
        Pause.forever("a frozen BIRD: accepts the connection, never greets");
      }
      send(c, g);
      StringBuilder line = new StringBuilder();
      ByteBuffer in = ByteBuffer.allocate(1024);
      while (c.read(in) >= 0) {
        in.flip();
        while (in.hasRemaining()) {
          char ch = (char) in.get();
          if (ch != '\n') {
            line.append(ch);
            continue;
          }
          String cmd = line.toString();
          line.setLength(0);
          commands.add(cmd);
          String a = answer.apply(cmd);
          if (a.equals(HANG)) {
            Pause.forever("a frozen BIRD: reads the command, never answers");
          }
          if (a.startsWith(CLOSE)) {
            send(c, a.substring(CLOSE.length()));
            return;
          }
          send(c, a);
        }
        in.clear();
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or close()
    } finally {
      clients.remove(c);
    }
  }

  private void send(SocketChannel c, String s) throws IOException, InterruptedException {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    for (int off = 0; off < b.length; off += chunk) {
      ByteBuffer out = ByteBuffer.wrap(b, off, Math.min(chunk, b.length - off));
      while (out.hasRemaining()) {
        c.write(out);
      }
      if (chunk < b.length) {
        Pause.pace(Duration.ofMillis(1), "the answer arrives in pieces, one chunk per read");
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    acceptor.interrupt();
    for (Map.Entry<SocketChannel, Thread> e : clients.entrySet()) {
      e.getValue().interrupt();
      e.getKey().close();
    }
    Files.deleteIfExists(socket);
  }
}
