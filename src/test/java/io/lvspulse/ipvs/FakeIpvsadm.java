package io.lvspulse.ipvs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The fake ipvsadm script (src/test/resources/ipvs/fake-ipvsadm.sh) installed as an executable in a
 * temp dir, with its state file and a switch for its behaviour (ok, noipvs, hang, garbage).
 */
final class FakeIpvsadm {
  final Path binary;
  final Path state;

  FakeIpvsadm(Path dir) {
    try {
      binary = dir.resolve("ipvsadm");
      try (InputStream in = FakeIpvsadm.class.getResourceAsStream("/ipvs/fake-ipvsadm.sh")) {
        Files.copy(in, binary);
      }
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
      state = dir.resolve("table");
      Files.writeString(state, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A wrapper script that runs the fake with FAKE_IPVSADM_STATE set (ipvsadm gets no env from us).
   */
  Path wrapper() {
    try {
      Path w = binary.resolveSibling("ipvsadm-wrapper");
      Files.writeString(
          w, "#!/bin/sh\nFAKE_IPVSADM_STATE='" + state + "' exec '" + binary + "' \"$@\"\n");
      Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwx------"));
      return w;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void mode(String mode) {
    write(state.resolveSibling("table.mode"), mode + "\n");
  }

  String table() {
    return read(state);
  }

  void table(String text) {
    write(state, text);
  }

  List<String> calls() {
    Path p = state.resolveSibling("table.calls");
    return Files.exists(p) ? read(p).lines().toList() : List.of();
  }

  long hangPid() {
    return Long.parseLong(read(state.resolveSibling("table.hangpid")).trim());
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path p, String s) {
    try {
      Files.writeString(p, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
