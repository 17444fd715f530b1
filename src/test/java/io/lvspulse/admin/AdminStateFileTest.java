package io.lvspulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.monitor.Admin;
import io.lvspulse.monitor.AdminState;
import io.lvspulse.monitor.ServerId;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminStateFileTest {
  @TempDir Path dir;

  private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

  private static ServerId id(String v, String a, int port) throws Exception {
    return ServerId.of(v, InetAddress.getByName(a), port);
  }

  @Test
  void states_survive_a_write_and_a_read() throws Exception {
    Map<ServerId, Admin> states =
        Map.of(
            id("tftp", "10.0.0.3", 69),
            new Admin(
                AdminState.MAINTENANCE, T, "socket user root", Optional.of(T.plusSeconds(300))),
            id("web\tv%1", "2001:db8::7", 80),
            new Admin(AdminState.DRAIN, T, "http 127.0.0.1\nx", Optional.empty()));
    Path f = dir.resolve(AdminStateFile.NAME);

    AdminStateFile.write(f, states);

    assertThat(AdminStateFile.read(f)).isEqualTo(new AdminStateFile.States(states));
    assertThat(Files.readString(f))
        .startsWith("# lvs-pulse admin state")
        .contains("\nlvs-pulse-admin-state 1\n")
        .contains(
            "tftp\t10.0.0.3\t69\tmaintenance\t2026-11-26T10:00:00Z\t2026-11-26T10:05:00Z\tsocket user root\n")
        .contains("web%09v%251\t");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-r-----");
    assertThat(Files.list(dir)).as("no temporary file left").containsExactly(f);
  }

  @Test
  void no_file_is_no_state() {
    assertThat(AdminStateFile.read(dir.resolve("none")))
        .isEqualTo(new AdminStateFile.States(Map.of()));
  }

  @Test
  void a_write_replaces_the_whole_file() throws Exception {
    Path f = dir.resolve(AdminStateFile.NAME);
    AdminStateFile.write(
        f,
        Map.of(id("tftp", "10.0.0.3", 69), new Admin(AdminState.DRAIN, T, "a", Optional.empty())));
    AdminStateFile.write(f, Map.of());
    assertThat(AdminStateFile.read(f)).isEqualTo(new AdminStateFile.States(Map.of()));
  }

  private String unreadable(String text) throws Exception {
    Path f = dir.resolve("bad");
    Files.writeString(f, text);
    AdminStateFile.Loaded l = AdminStateFile.read(f);
    assertThat(l).isInstanceOf(AdminStateFile.Unreadable.class);
    return ((AdminStateFile.Unreadable) l).message();
  }

  @Test
  void a_damaged_file_is_unreadable_with_the_line_that_is_wrong() throws Exception {
    String ok = "lvs-pulse-admin-state 1\n";
    assertThat(unreadable("")).contains("no 'lvs-pulse-admin-state N' header");
    assertThat(unreadable("{\"json\": true}\n")).contains("line 1: not an lvs-pulse admin state");
    assertThat(unreadable("lvs-pulse-admin-state 2\n"))
        .contains("format version 2, this lvs-pulse reads version 1 (written by a newer");
    assertThat(unreadable(ok + "tftp\t10.0.0.3\t69\tdrain\n")).contains("line 2: expected 7");
    assertThat(unreadable(ok + "tftp\t10.0.0.3\t69\tparked\t2026-11-26T10:00:00Z\t-\tx\n"))
        .contains("line 2: unknown state 'parked'");
    assertThat(unreadable(ok + "tftp\tftp3.example\t69\tdrain\t2026-11-26T10:00:00Z\t-\tx\n"))
        .contains("line 2: not an IP address");
    assertThat(unreadable(ok + "tftp\t10.0.0.3\t69\tdrain\tyesterday\t-\tx\n"))
        .contains("line 2: bad time");
    assertThat(unreadable(ok + "tftp\t10.0.0.3\t99999\tdrain\t2026-11-26T10:00:00Z\t-\tx\n"))
        .contains("port out of range");
    assertThat(
            unreadable(
                ok + "tftp\t10.0.0.3\t69\tdrain\t2026-11-26T10:00:00Z\t2026-11-26T10:00:00Z\tx\n"))
        .contains("only maintenance is drained");
    assertThat(
            unreadable(
                ok
                    + "tftp\t10.0.0.3\t69\tdrain\t2026-11-26T10:00:00Z\t-\tx\n"
                    + "tftp\t10.0.0.3\t69\tdrain\t2026-11-26T10:00:00Z\t-\tx\n"))
        .contains("line 3: server listed twice");
    Path binary = dir.resolve("binary");
    Files.write(binary, new byte[] {0, 1, 2, (byte) 0xff, '\n'});
    assertThat(AdminStateFile.read(binary)).isInstanceOf(AdminStateFile.Unreadable.class);
  }

  @Test
  void random_damage_never_throws() throws Exception {
    long seed = System.nanoTime();
    java.util.Random rnd = new java.util.Random(seed);
    Path f = dir.resolve(AdminStateFile.NAME);
    AdminStateFile.write(
        f,
        Map.of(
            id("tftp", "10.0.0.3", 69),
            new Admin(AdminState.MAINTENANCE, T, "socket user root", Optional.of(T))));
    byte[] good = Files.readAllBytes(f);
    for (int i = 0; i < 500; i++) {
      byte[] b = good.clone();
      for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
      Files.write(f, b);
      assertThat(AdminStateFile.read(f)).as("seed " + seed).isNotNull();
    }
  }
}
