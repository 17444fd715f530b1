package io.lvspulse.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.ServerId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlSocketTest {
  @TempDir Path dir;

  private final List<String> calls = new CopyOnWriteArrayList<>();

  private final AdminControl control =
      (virtual, server, state, by) -> {
        calls.add(virtual + " " + server + " " + state.label() + " " + by);
        if (!server.equals("ftp2")) {
          return AdminReply.error(AdminReply.Status.NOT_FOUND, "no real server '" + server + "'");
        }
        return new AdminReply(
            AdminReply.Status.OK,
            "tftp/10.0.0.3:69: " + state.label(),
            Optional.of(id()),
            Optional.of(new Admin(state, Instant.EPOCH, by, Optional.empty())),
            Optional.of(PartnerRelay.Outcome.NOT_AUTHENTICATED),
            true);
      };

  private static ServerId id() {
    try {
      return ServerId.of("tftp", InetAddress.getByName("10.0.0.3"), 69);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path sock() {
    return dir.resolve("run").resolve("control.sock");
  }

  @Test
  void a_request_reaches_the_control_with_the_peers_user_and_the_reply_comes_back()
      throws Exception {
    try (ControlSocket s = ControlSocket.open(sock(), control, "no-such-group-ops-web")) {
      ControlClient.Reply r =
          ControlClient.send(s.path(), AdminState.DRAIN, "tftp", "ftp2", Duration.ofSeconds(5));

      assertThat(r.ok()).isTrue();
      assertThat(r.message()).isEqualTo("tftp/10.0.0.3:69: drain");
      assertThat(r.partner()).contains(PartnerRelay.Outcome.NOT_AUTHENTICATED);
      String user = System.getProperty("user.name");
      assertThat(calls).containsExactly("tftp ftp2 drain socket user " + user);
    }
  }

  @Test
  void a_refusal_comes_back_as_not_ok() throws Exception {
    try (ControlSocket s = ControlSocket.open(sock(), control, "no-such-group-ops-web")) {
      ControlClient.Reply r =
          ControlClient.send(s.path(), AdminState.DRAIN, "tftp", "ftp9", Duration.ofSeconds(5));
      assertThat(r.ok()).isFalse();
      assertThat(r.status()).isEqualTo("not_found");
      assertThat(r.message()).isEqualTo("no real server 'ftp9'");
    }
  }

  @Test
  void the_socket_is_0660_in_a_0750_directory_whatever_the_umask() throws Exception {
    try (ControlSocket s = ControlSocket.open(sock(), control, "no-such-group-ops-web")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.path())))
          .isEqualTo("rw-rw----");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock().getParent())))
          .isEqualTo("rwxr-x---");
    }
    assertThat(sock()).as("removed on close").doesNotExist();
  }

  @Test
  void a_directory_others_can_write_is_refused() throws Exception {
    Path open = dir.resolve("open");
    Files.createDirectory(open);
    // /tmp-like: 1777 (PosixFilePermissions has no sticky bit)
    assertThat(new ProcessBuilder("chmod", "1777", open.toString()).start().waitFor()).isZero();

    assertThatThrownBy(
            () -> ControlSocket.open(open.resolve("control.sock"), control, "no-such-group"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("writable by everyone (even with the sticky bit)");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwx---"));
    assertThatThrownBy(
            () -> ControlSocket.open(open.resolve("control.sock"), control, "no-such-group"))
        .hasMessageContaining("writable by its group");
    assertThat(open.resolve("control.sock")).doesNotExist();
  }

  @Test
  void the_root_directory_as_socket_path_is_refused_with_a_message() {
    // regression: Path.of("/").getParent() is null, which was a NullPointerException
    assertThatThrownBy(() -> ControlSocket.open(Path.of("/"), control, "no-such-group"))
        .isInstanceOf(IOException.class)
        .hasMessage("/ is the root directory, not a socket path");
  }

  @Test
  void a_stale_socket_is_replaced_but_a_live_one_or_a_file_is_not() throws Exception {
    Files.createDirectories(sock().getParent());
    try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      other.bind(UnixDomainSocketAddress.of(sock()));
      assertThatThrownBy(() -> ControlSocket.open(sock(), control, "g"))
          .hasMessageContaining("another lvs-pulse already answers on " + sock());
    }
    assertThat(sock()).as("a socket file nobody listens on").exists();
    try (ControlSocket s = ControlSocket.open(sock(), control, "g")) {
      assertThat(
              ControlClient.send(s.path(), AdminState.DRAIN, "tftp", "ftp2", Duration.ofSeconds(5))
                  .ok())
          .isTrue();
    }
    Files.writeString(sock(), "not a socket");
    assertThatThrownBy(() -> ControlSocket.open(sock(), control, "g"))
        .hasMessageContaining("exists and is not a socket");
    assertThat(sock()).hasContent("not a socket");
  }

  @Test
  void garbage_is_answered_bad_request_and_changes_nothing() throws Exception {
    try (ControlSocket s = ControlSocket.open(sock(), control, "g");
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(s.path()))) {
      ch.write(ByteBuffer.wrap("drain tftp ftp2\n".getBytes(StandardCharsets.UTF_8)));
      ByteBuffer in = ByteBuffer.allocate(256);
      while (ch.read(in) > 0) {
        // until the daemon closes
      }
      assertThat(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8))
          .isEqualTo("bad_request\t-\tunreadable request\n");
    }
    assertThat(calls).isEmpty();
  }

  @Test
  void the_client_explains_a_missing_daemon() {
    assertThatThrownBy(
            () ->
                ControlClient.send(
                    dir.resolve("none.sock"), AdminState.DRAIN, "t", "s", Duration.ofSeconds(1)))
        .isInstanceOf(ControlClient.Unreachable.class)
        .hasMessageContaining("no control socket at")
        .hasMessageContaining("is `lvs-pulse run` running");
  }
}
