package io.lvspulse.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local control socket {@code lvs-pulse drain|maintenance|enable} talks to: a Unix-domain
 * stream socket ({@code /run/lvs-pulse/control.sock}) the kernel lets only authorised users open:
 * mode 0660, owned by the daemon's user (root, or {@code lvs-pulse} under the packaged unit) and
 * group {@code lvs-pulse}, in a directory that is not writable by others (0750 when created here).
 * A user outside the group gets "permission denied" from {@code connect} and never reaches the
 * daemon; the daemon logs the peer's user (SO_PEERCRED) with every change.
 *
 * <p>It refuses to serve when the directory is writable by others than its owner, or owned by
 * another user than root or the daemon's (anyone could replace the socket there), and when another
 * daemon already answers on the path; a stale socket file is replaced. One request per connection
 * ({@link ControlProtocol}); a client that does not send its line within 10 s is disconnected.
 */
public final class ControlSocket implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlSocket.class);
  private static final long READ_DEADLINE_SECONDS = 10;

  /** The group whose members may use the socket (when it exists). */
  public static final String GROUP = "lvs-pulse";

  private final Path path;
  private final ServerSocketChannel server;
  private final AdminControl control;
  private final Thread acceptor;
  private final ExecutorService workers;
  private final ScheduledExecutorService deadlines;
  private volatile boolean closed;

  private ControlSocket(Path path, ServerSocketChannel server, AdminControl control) {
    this.path = path;
    this.server = server;
    this.control = control;
    this.workers =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "lvs-pulse-control");
              t.setDaemon(true);
              return t;
            });
    this.deadlines =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lvs-pulse-control-deadline");
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "lvs-pulse-control-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Creates the socket at {@code path} (and its directory, 0750, when missing), sets it 0660 with
   * group {@code group} when that group exists, and starts serving.
   *
   * @throws IOException with one clear message when it cannot or may not serve there
   */
  public static ControlSocket open(Path path, AdminControl control, String group)
      throws IOException {
    Objects.requireNonNull(control);
    Path dir = path.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IOException(path + " is the root directory, not a socket path");
    }
    Optional<GroupPrincipal> g = lookupGroup(path, group);
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
      if (g.isPresent()) {
        setGroup(dir, g.get());
      }
    }
    checkDirectory(dir);
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!"socket".equals(fileType(path))) {
        throw new IOException(path + " exists and is not a socket: refusing to replace it");
      }
      try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
        throw new IOException("another lvs-pulse already answers on " + path);
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("another lvs-pulse")) {
          throw e;
        }
        Files.delete(path); // stale: its daemon is gone
      }
    }
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      s.bind(UnixDomainSocketAddress.of(path));
      // Created under the process umask (0077 in the unit): open it to the group explicitly.
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
      if (g.isPresent()) {
        setGroup(path, g.get());
      }
    } catch (IOException e) {
      s.close();
      Files.deleteIfExists(path);
      throw e;
    }
    ControlSocket c = new ControlSocket(path, s, control);
    c.acceptor.start();
    log.info(
        "control socket {} (mode 0660, group {}): lvs-pulse drain|maintenance|enable",
        path,
        Files.readAttributes(path, java.nio.file.attribute.PosixFileAttributes.class)
            .group()
            .getName());
    return c;
  }

  /** The socket's path. */
  public Path path() {
    return path;
  }

  private static Optional<GroupPrincipal> lookupGroup(Path path, String group) {
    try {
      return Optional.of(
          path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
    } catch (IOException e) {
      return Optional.empty(); // no such group: the daemon's own group
    }
  }

  private static void setGroup(Path p, GroupPrincipal g) {
    try {
      Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setGroup(g);
    } catch (IOException e) {
      log.warn("cannot give {} to group {}: {}", p, g.getName(), e.getMessage());
    }
  }

  /** Refuses a directory others could replace the socket in. */
  static void checkDirectory(Path dir) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    if (perms.contains(PosixFilePermission.OTHERS_WRITE)
        || perms.contains(PosixFilePermission.GROUP_WRITE)) {
      boolean sticky = (((Integer) Files.getAttribute(dir, "unix:mode")) & 01000) != 0;
      throw new IOException(
          "refusing to serve the control socket in "
              + dir
              + ": it is writable by "
              + (perms.contains(PosixFilePermission.OTHERS_WRITE) ? "everyone" : "its group")
              + (sticky ? " (even with the sticky bit)" : "")
              + ", so the socket could be replaced; use a directory only root or the daemon's user"
              + " can write (mode 0750, e.g. /run/lvs-pulse)");
    }
    int owner = (Integer) Files.getAttribute(dir, "unix:uid");
    int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    if (owner != 0 && owner != self) {
      throw new IOException(
          "refusing to serve the control socket in "
              + dir
              + ": it belongs to uid "
              + owner
              + ", neither root nor this daemon's user");
    }
  }

  private static String fileType(Path p) {
    try {
      int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & 0170000) == 0140000 ? "socket" : "other";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("control socket accept failed: {}", e.getMessage());
        }
        if (!server.isOpen()) {
          return;
        }
        continue;
      }
      try {
        workers.execute(() -> serve(ch));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        closeQuietly(ch);
      }
    }
  }

  private void serve(SocketChannel ch) {
    var deadline =
        deadlines.schedule(() -> closeQuietly(ch), READ_DEADLINE_SECONDS, TimeUnit.SECONDS);
    try (ch) {
      String who = peer(ch);
      Optional<String> line = readLine(ch);
      deadline.cancel(false);
      String reply;
      Optional<ControlProtocol.Request> req = line.flatMap(ControlProtocol::parseRequest);
      if (req.isEmpty()) {
        log.warn("control socket: unreadable request from {}", who);
        reply = ControlProtocol.reply("bad_request", "-", "unreadable request");
      } else {
        ControlProtocol.Request r = req.get();
        AdminReply a = control.change(r.virtual(), r.server(), r.state(), who);
        reply =
            ControlProtocol.reply(
                a.status().label(),
                a.partner().map(PartnerRelay.Outcome::label).orElse("-"),
                a.message());
      }
      ByteBuffer out = ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        ch.write(out);
      }
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.debug("control socket connection: {}", e.toString());
      }
    } finally {
      deadline.cancel(false);
    }
  }

  /** {@code socket user NAME}: who is on the other end, as the kernel says (SO_PEERCRED). */
  private static String peer(SocketChannel ch) {
    try {
      UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
      return "socket user " + p.user().getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "socket user ?";
    }
  }

  private static Optional<String> readLine(SocketChannel ch) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(512);
    while (buf.size() <= ControlProtocol.MAX_LINE) {
      b.clear();
      int n = ch.read(b);
      if (n < 0) {
        return Optional.empty();
      }
      for (int i = 0; i < n; i++) {
        byte c = b.get(i);
        if (c == '\n') {
          return Optional.of(buf.toString(StandardCharsets.UTF_8));
        }
        buf.write(c);
      }
    }
    return Optional.empty();
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    workers.shutdownNow();
    deadlines.shutdownNow();
    try {
      acceptor.join(2000);
      Files.deleteIfExists(path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", path, e.getMessage());
    }
  }
}
