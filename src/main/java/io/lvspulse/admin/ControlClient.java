package io.lvspulse.admin;

import io.lvspulse.monitor.AdminState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The CLI's side of the control socket: one request, one reply ({@link ControlProtocol}). */
public final class ControlClient {
  /** Where the daemon listens unless told otherwise ({@code RuntimeDirectory=lvs-pulse}). */
  public static final Path DEFAULT_SOCKET = Path.of("/run/lvs-pulse/control.sock");

  private ControlClient() {}

  /**
   * The daemon's answer.
   *
   * @param ok the change was applied
   * @param status {@code ok}, {@code not_found}, {@code bad_request}, {@code unavailable}
   * @param partner what the partner director was told, if anything
   * @param message the daemon's line for the operator
   */
  public record Reply(
      boolean ok, String status, Optional<PartnerRelay.Outcome> partner, String message) {}

  /** The socket could not be used; the message says why and what to do. */
  public static final class Unreachable extends Exception {
    public Unreachable(String message) {
      super(message);
    }
  }

  /** Asks the daemon on {@code socket} to set {@code virtual}/{@code server} to {@code state}. */
  public static Reply send(
      Path socket, AdminState state, String virtual, String server, Duration timeout)
      throws Unreachable {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lvs-pulse-control-timeout");
              t.setDaemon(true);
              return t;
            });
    SocketChannel ch;
    try {
      ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      timer.shutdownNow();
      throw new Unreachable(connectFailure(socket, e));
    }
    var deadline = timer.schedule(() -> close(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
    try (ch) {
      ByteBuffer out =
          ByteBuffer.wrap(
              ControlProtocol.request(state, virtual, server).getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        ch.write(out);
      }
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      ByteBuffer b = ByteBuffer.allocate(1024);
      while (in.size() < 64 * 1024) {
        b.clear();
        int n = ch.read(b);
        if (n < 0) {
          break;
        }
        in.write(b.array(), 0, n);
        if (in.toString(StandardCharsets.UTF_8).indexOf('\n') >= 0) {
          break;
        }
      }
      String text = in.toString(StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      Optional<ControlProtocol.Reply> r =
          nl < 0 ? Optional.empty() : ControlProtocol.parseReply(text.substring(0, nl));
      if (r.isEmpty()) {
        throw new Unreachable(
            "the daemon on " + socket + " gave no answer within " + timeout.toSeconds() + " s");
      }
      ControlProtocol.Reply x = r.get();
      Optional<PartnerRelay.Outcome> partner = Optional.empty();
      for (PartnerRelay.Outcome o : PartnerRelay.Outcome.values()) {
        if (o.label().equals(x.partner())) {
          partner = Optional.of(o);
        }
      }
      return new Reply(x.status().equals("ok"), x.status(), partner, x.message());
    } catch (IOException e) {
      throw new Unreachable("talking to the daemon on " + socket + ": " + e.getMessage());
    } finally {
      deadline.cancel(false);
      timer.shutdownNow();
    }
  }

  private static String connectFailure(Path socket, IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof AccessDeniedException
        || m.contains("Permission denied")
        || m.contains("Access denied")) {
      return "permission denied on "
          + socket
          + ": only root and members of group "
          + ControlSocket.GROUP
          + " may change admin states (sudo, or adduser YOU "
          + ControlSocket.GROUP
          + ")";
    }
    if (e instanceof NoSuchFileException || !Files.exists(socket)) {
      return "no control socket at "
          + socket
          + ": is `lvs-pulse run` running (with this --control-socket)?";
    }
    if (e instanceof SocketException && m.contains("refused")) {
      return "nothing answers on " + socket + ": is `lvs-pulse run` running?";
    }
    return "cannot connect to " + socket + ": " + m;
  }

  private static void close(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
