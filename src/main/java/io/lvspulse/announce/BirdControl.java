package io.lvspulse.announce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A client of BIRD's control socket speaking birdc's text protocol, in process (no fork of {@code
 * birdc}): a Unix-domain {@link SocketChannel}, non-blocking under one {@link Selector}, so every
 * call ends within its timeout whatever BIRD does.
 *
 * <p>The protocol (BIRD 2 {@code doc/reply_codes}, {@code client/client.c}, checked against BIRD
 * 2.0.12): on connect BIRD greets with {@code 0001 BIRD 2.0.12 ready.}; a command is one line; a
 * reply is lines {@code DDDD-text} (more follows), {@code " text"} (continues the previous code),
 * ending with a line {@code DDDD text} (four digits, a space). Lines starting with {@code +} are
 * spontaneous printouts and are skipped.
 *
 * <p>One connection is kept open between commands. Any failure (BIRD down or restarting: the socket
 * is missing or refuses; a timeout; a connection closed mid-reply; a line that is not the protocol)
 * closes it and is thrown as an {@link AnnounceException}; the next command connects again.
 * Thread-safe: one command at a time.
 */
public final class BirdControl implements AutoCloseable {
  /** Where Debian's bird2 package puts the socket. */
  public static final Path DEFAULT_SOCKET = Path.of("/run/bird/bird.ctl");

  /** BIRD's own limit on a command line is 1024 bytes ({@code 9000 Command too long}). */
  static final int MAX_COMMAND = 1000;

  /** Replies larger than this are refused (a {@code show protocols} of 10,000 VIPs is ~1 MB). */
  static final int MAX_REPLY_BYTES = 8 << 20;

  private final Path socket;
  private final Duration timeout;
  private @Nullable SocketChannel channel;
  private @Nullable Selector selector;
  private @Nullable String greeting;
  private final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private final List<String> readyLines = new ArrayList<>();

  /**
   * @param socket the control socket, e.g. {@link #DEFAULT_SOCKET}
   * @param timeout bound of one command: connect, greeting, write and the whole reply
   */
  public BirdControl(Path socket, Duration timeout) {
    this.socket = Objects.requireNonNull(socket);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.timeout = timeout;
  }

  public Path socket() {
    return socket;
  }

  /** The greeting of the current connection (e.g. {@code BIRD 2.0.12 ready.}), if connected. */
  public synchronized @Nullable String greeting() {
    return greeting;
  }

  /**
   * Sends one command and returns BIRD's whole reply (which may be an error reply: see {@link
   * BirdReply#ok()}).
   *
   * @throws AnnounceException when BIRD cannot be reached or does not answer in time
   * @throws IllegalArgumentException when {@code command} is empty, has a line break or is too long
   */
  public synchronized BirdReply command(String command) throws AnnounceException {
    if (command.isBlank()
        || command.indexOf('\n') >= 0
        || command.indexOf('\r') >= 0
        || command.length() > MAX_COMMAND) {
      throw new IllegalArgumentException("not a single BIRD command line: '" + command + "'");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      connect(deadline, command);
      write((command + "\n").getBytes(StandardCharsets.US_ASCII), deadline, command);
      return readReply(deadline, command);
    } catch (IOException e) {
      disconnect();
      throw new AnnounceException(
          "BIRD control socket " + socket + ": `" + command + "`: " + describe(e), e);
    } catch (AnnounceException e) {
      disconnect();
      throw e;
    }
  }

  private void connect(long deadline, String command) throws IOException, AnnounceException {
    if (channel != null) {
      return;
    }
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    Selector sel = null;
    try {
      ch.configureBlocking(false);
      sel = Selector.open();
      channel = ch;
      selector = sel;
      if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
        SelectionKey k = ch.register(sel, SelectionKey.OP_CONNECT);
        while (!ch.finishConnect()) {
          await(sel, deadline, command, "connecting");
        }
        k.cancel();
        sel.selectNow();
      }
      BirdReply hello = readReply(deadline, command);
      if (hello.code() != 1) {
        throw new AnnounceException(
            "BIRD control socket " + socket + " greeted with " + hello.describe());
      }
      greeting = hello.message();
    } catch (IOException | AnnounceException | RuntimeException e) {
      disconnect();
      throw e;
    }
  }

  private void write(byte[] bytes, long deadline, String command)
      throws IOException, AnnounceException {
    SocketChannel ch = Objects.requireNonNull(channel);
    Selector sel = Objects.requireNonNull(selector);
    ByteBuffer out = ByteBuffer.wrap(bytes);
    ch.write(out);
    if (!out.hasRemaining()) {
      return;
    }
    SelectionKey k = ch.register(sel, SelectionKey.OP_WRITE);
    try {
      while (out.hasRemaining()) {
        await(sel, deadline, command, "sending");
        ch.write(out);
      }
    } finally {
      k.cancel();
      sel.selectNow();
    }
  }

  private BirdReply readReply(long deadline, String command) throws IOException, AnnounceException {
    SocketChannel ch = Objects.requireNonNull(channel);
    Selector sel = Objects.requireNonNull(selector);
    List<BirdReply.Line> lines = new ArrayList<>();
    int lastCode = -1;
    int bytes = 0;
    SelectionKey k = null;
    try {
      while (true) {
        while (!readyLines.isEmpty()) {
          String line = readyLines.remove(0);
          bytes += line.length() + 1;
          if (bytes > MAX_REPLY_BYTES) {
            throw new AnnounceException(
                "BIRD's reply to `" + command + "` exceeds " + MAX_REPLY_BYTES + " bytes");
          }
          if (line.startsWith("+")) {
            continue; // spontaneous printout
          }
          if (line.startsWith(" ")) {
            if (lastCode < 0) {
              throw protocolError(command, line);
            }
            lines.add(new BirdReply.Line(lastCode, line.substring(1)));
            continue;
          }
          if (line.length() < 4 || !isDigits(line.substring(0, 4))) {
            throw protocolError(command, line);
          }
          int code = Integer.parseInt(line.substring(0, 4));
          char sep = line.length() > 4 ? line.charAt(4) : ' ';
          if (sep != '-' && sep != ' ') {
            throw protocolError(command, line);
          }
          String text = line.length() > 5 ? line.substring(5) : "";
          lines.add(new BirdReply.Line(code, text));
          lastCode = code;
          if (sep == ' ') {
            return new BirdReply(lines);
          }
        }
        buffer.clear();
        int n = ch.read(buffer);
        if (n < 0) {
          throw new AnnounceException(
              "BIRD closed its control socket "
                  + socket
                  + " "
                  + (lines.isEmpty() ? "before answering" : "in the middle of its reply")
                  + " to `"
                  + command
                  + "` (restarting?)");
        }
        if (n == 0) {
          if (k == null) {
            k = ch.register(sel, SelectionKey.OP_READ);
          }
          await(sel, deadline, command, "waiting for the reply");
          continue;
        }
        buffer.flip();
        split(buffer);
      }
    } finally {
      if (k != null) {
        k.cancel();
        sel.selectNow();
      }
    }
  }

  private void split(ByteBuffer in) throws AnnounceException {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        readyLines.add(partial.toString(StandardCharsets.UTF_8));
        partial.reset();
      } else if (b != '\r') {
        if (partial.size() >= MAX_REPLY_BYTES) {
          throw new AnnounceException("BIRD sent a line longer than " + MAX_REPLY_BYTES + " bytes");
        }
        partial.write(b);
      }
    }
  }

  private void await(Selector sel, long deadline, String command, String doing)
      throws IOException, AnnounceException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw timeout(command, doing);
    }
    sel.select(Math.max(1, left / 1_000_000));
    sel.selectedKeys().clear();
    if (deadline - System.nanoTime() <= 0) {
      throw timeout(command, doing);
    }
  }

  private AnnounceException timeout(String command, String doing) {
    return new AnnounceException(
        "BIRD control socket "
            + socket
            + ": no answer to `"
            + command
            + "` within "
            + timeout.toMillis()
            + " ms ("
            + doing
            + ")");
  }

  private AnnounceException protocolError(String command, String line) {
    String shown = line.length() > 120 ? line.substring(0, 120) + "..." : line;
    return new AnnounceException(
        "BIRD control socket "
            + socket
            + ": `"
            + command
            + "`: not birdc's protocol: '"
            + shown
            + "'");
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m + " (BIRD down or restarting?)";
  }

  /** Closes the connection; the next command opens a new one. */
  private void disconnect() {
    SocketChannel ch = channel;
    Selector sel = selector;
    channel = null;
    selector = null;
    greeting = null;
    partial.reset();
    readyLines.clear();
    try {
      if (sel != null) {
        sel.close();
      }
    } catch (IOException ignored) {
      // closing
    }
    try {
      if (ch != null) {
        ch.close();
      }
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public synchronized void close() {
    disconnect();
  }

  @Override
  public String toString() {
    return "BirdControl[" + socket + "]";
  }
}
