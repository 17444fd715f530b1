package io.lvspulse.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Linux process groups, read from {@code /proc}: a command started under {@code setsid} leads its
 * own session and process group (pgid = its pid), which every child, grandchild and double-forked
 * daemon inherits unless it calls {@code setsid} itself; killing the group therefore reaches what a
 * tree kill misses once the leader has exited and its children were re-parented. Java cannot call
 * {@code kill(-pgid)}: the members are found in {@code /proc/PID/stat} and killed one by one, until
 * a scan finds none (a member that forks between two scans is caught by the next).
 */
final class ProcessGroups {
  /** {@code setsid} from util-linux (Debian: essential); absent: no process group is created. */
  static final Path SETSID = Path.of("/usr/bin/setsid");

  private static final Path PROC = Path.of("/proc");

  /** Scans before giving up on a group whose members keep forking. */
  private static final int MAX_ROUNDS = 5;

  private ProcessGroups() {}

  /** Whether commands can be given their own process group here. */
  static boolean supported() {
    return Files.isExecutable(SETSID) && Files.isDirectory(PROC.resolve("self"));
  }

  /** {@code command} run by {@code setsid --wait}: its own session and process group. */
  static List<String> isolated(List<String> command) {
    List<String> cmd = new ArrayList<>(command.size() + 2);
    cmd.add(SETSID.toString());
    cmd.add("--wait"); // only matters if setsid must fork: then it still reports the exit status
    cmd.addAll(command);
    return cmd;
  }

  /**
   * Kills (SIGKILL) every process of group {@code pgid}; returns how many were killed. Never
   * throws.
   */
  static int kill(long pgid) {
    int killed = 0;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      List<ProcessHandle> members = members(pgid);
      if (members.isEmpty()) {
        return killed;
      }
      for (ProcessHandle h : members) {
        if (h.destroyForcibly()) {
          killed++;
        }
      }
    }
    return killed;
  }

  /** The live processes of group {@code pgid}. */
  static List<ProcessHandle> members(long pgid) {
    List<ProcessHandle> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(name);
        } catch (NumberFormatException e) {
          continue;
        }
        if (pgrp(d).orElse(-1L) == pgid) {
          ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(found::add);
        }
      }
    } catch (IOException | RuntimeException e) {
      // /proc unreadable: nothing more can be done
    }
    return found;
  }

  /**
   * Field 5 of {@code /proc/PID/stat} (after the command name in parentheses, which may hold any
   * byte).
   */
  private static Optional<Long> pgrp(Path procDir) {
    try {
      String stat =
          new String(Files.readAllBytes(procDir.resolve("stat")), StandardCharsets.ISO_8859_1);
      int close = stat.lastIndexOf(')');
      if (close < 0) {
        return Optional.empty();
      }
      String[] f = stat.substring(close + 2).split(" ", 4); // state ppid pgrp ...
      return f.length < 3 ? Optional.empty() : Optional.of(Long.parseLong(f[2]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // the process ended meanwhile
    }
  }
}
