package io.lvspulse.admin;

import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.net.Addresses;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The admin state file ({@code /var/lib/lvs-pulse/admin-state}): every real server whose admin
 * state is not {@code enabled}, so a drain or a maintenance survives a restart. A text file, one
 * header line with the format version, then one line per server, fields separated by one TAB:
 *
 * <pre>
 * # lvs-pulse admin state (written by lvs-pulse; change it with lvs-pulse drain|maintenance|enable)
 * lvs-pulse-admin-state 1
 * VIRTUAL  ADDRESS  PORT  STATE  SINCE  DRAINED_AT  BY
 * tftp     10.0.0.3 69    maintenance 2026-11-26T10:00:00Z 2026-11-26T10:05:12Z socket uid 0 (root)
 * </pre>
 *
 * {@code SINCE} and {@code DRAINED_AT} are ISO-8601 instants ({@code -} when not drained); {@code
 * VIRTUAL} and {@code BY} have {@code %}, TAB, CR, LF and other control characters written as
 * {@code %XX}. Lines starting with {@code #} are comments.
 *
 * <p>Written atomically: a temporary file in the same directory, fsync, rename over the old file,
 * fsync of the directory; a crash leaves the old or the new file, never half of one. A file that
 * cannot be read (another format version, a damaged line) is reported with one clear message by
 * {@link #read} and never used in part.
 */
public final class AdminStateFile {
  /** The format this version writes and reads. */
  public static final int VERSION = 1;

  /** The file's name in the state directory. */
  public static final String NAME = "admin-state";

  static final String MAGIC = "lvs-pulse-admin-state";
  private static final String COMMENT =
      "# lvs-pulse admin state (written by lvs-pulse; change it with lvs-pulse"
          + " drain|maintenance|enable)";

  private AdminStateFile() {}

  /** What {@link #read} found. */
  public sealed interface Loaded {}

  /** The file's states (empty when there is no file yet). */
  public record States(Map<ServerId, Admin> states) implements Loaded {
    public States {
      states = Map.copyOf(states);
    }
  }

  /** The file is unusable; {@code message} says why, for one log line. */
  public record Unreadable(String message) implements Loaded {}

  /** Reads {@code file}: its states, none when it does not exist, or why it is unusable. */
  public static Loaded read(Path file) {
    String text;
    try {
      if (!Files.exists(file)) {
        return new States(Map.of());
      }
      if (Files.size(file) > 64L * 1024 * 1024) {
        return new Unreadable(file + ": larger than 64 MiB, not an lvs-pulse admin state file");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return new Unreadable(file + ": cannot read: " + e.getMessage());
    }
    try {
      return new States(parse(text));
    } catch (IllegalArgumentException e) {
      return new Unreadable(file + ": " + e.getMessage());
    }
  }

  /** Parses the file's text; throws with {@code line N: why} when it is not a valid file. */
  static Map<ServerId, Admin> parse(String text) {
    Map<ServerId, Admin> out = new TreeMap<>();
    String[] lines = text.split("\n", -1);
    boolean header = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int n = i + 1;
      if (!header) {
        String[] h = line.split(" ");
        if (h.length != 2 || !h[0].equals(MAGIC)) {
          throw new IllegalArgumentException(
              "line " + n + ": not an lvs-pulse admin state file (no '" + MAGIC + " N' header)");
        }
        int v;
        try {
          v = Integer.parseInt(h[1]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("line " + n + ": bad format version '" + h[1] + "'");
        }
        if (v != VERSION) {
          throw new IllegalArgumentException(
              "line "
                  + n
                  + ": format version "
                  + v
                  + ", this lvs-pulse reads version "
                  + VERSION
                  + (v > VERSION ? " (written by a newer lvs-pulse)" : ""));
        }
        header = true;
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 7) {
        throw new IllegalArgumentException(
            "line " + n + ": expected 7 TAB-separated fields, found " + f.length);
      }
      try {
        String virtual = unescape(f[0]);
        InetAddress address = literal(f[1]);
        int port = Integer.parseInt(f[2]);
        if (port < 0 || port > 65535) {
          throw new IllegalArgumentException("port out of range: " + port);
        }
        AdminState state =
            AdminState.parse(f[3])
                .orElseThrow(() -> new IllegalArgumentException("unknown state '" + f[3] + "'"));
        Instant since = Instant.parse(f[4]);
        Optional<Instant> drained =
            f[5].equals("-") ? Optional.empty() : Optional.of(Instant.parse(f[5]));
        Admin a = new Admin(state, since, unescape(f[6]), drained);
        if (out.put(ServerId.of(virtual, address, port), a) != null) {
          throw new IllegalArgumentException("server listed twice");
        }
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("line " + n + ": bad time: " + e.getParsedString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + n + ": " + e.getMessage());
      }
    }
    if (!header) {
      throw new IllegalArgumentException("empty: no '" + MAGIC + " N' header");
    }
    return out;
  }

  /** The text of a file holding {@code states}. */
  static String format(Map<ServerId, Admin> states) {
    StringBuilder sb = new StringBuilder();
    sb.append(COMMENT).append('\n').append(MAGIC).append(' ').append(VERSION).append('\n');
    for (Map.Entry<ServerId, Admin> e : new TreeMap<>(states).entrySet()) {
      ServerId id = e.getKey();
      Admin a = e.getValue();
      sb.append(escape(id.virtual()))
          .append('\t')
          .append(Addresses.canonical(id.address().getAddress()))
          .append('\t')
          .append(id.address().getPort())
          .append('\t')
          .append(a.state().label())
          .append('\t')
          .append(a.since())
          .append('\t')
          .append(a.drainedAt().map(Instant::toString).orElse("-"))
          .append('\t')
          .append(escape(a.by()))
          .append('\n');
    }
    return sb.toString();
  }

  /**
   * Replaces {@code file} with {@code states}, atomically (temporary file, fsync, rename, fsync of
   * the directory). The file is created 0640.
   */
  public static void write(Path file, Map<ServerId, Admin> states) throws IOException {
    Path dir =
        Objects.requireNonNull(file.toAbsolutePath().getParent(), "a file has a parent directory");
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    byte[] bytes = format(states).getBytes(StandardCharsets.UTF_8);
    try {
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename atomically in " + dir + ": " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true); // the rename itself reaches the disk
    } catch (IOException e) {
      // some file systems cannot fsync a directory; the rename is still atomic
    }
  }

  private static InetAddress literal(String s) {
    if (!s.matches("[0-9A-Fa-f:.]+") || !(s.contains(".") || s.contains(":"))) {
      throw new IllegalArgumentException("not an IP address: '" + s + "'");
    }
    try {
      return InetAddress.getByName(s); // a literal: no name lookup
    } catch (IOException e) {
      throw new IllegalArgumentException("not an IP address: '" + s + "'");
    }
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '%') {
        sb.append(String.format(Locale.ROOT, "%%%02X", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("bad %-escape in '" + s + "'");
        }
        try {
          sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad %-escape in '" + s + "'");
        }
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
