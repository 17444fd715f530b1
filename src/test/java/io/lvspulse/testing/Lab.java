package io.lvspulse.testing;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The project's test lab ({@code lab/bin/lab}) from Java: IPVS directors and hosts on one LAN of
 * network namespaces. The IPVS kernel is the host's where it has IPVS, else the lab's qemu guest;
 * {@link Director#exec} hides which. The first {@link #get()} brings the lab up when it is not (and
 * then takes it down when the JVM exits); when {@code .ci/test} brought it up, it stays up. A
 * missing lab (not root, no namespaces, the guest does not boot) skips the test locally and fails
 * it under {@code CI=true}.
 */
public final class Lab {
  private static final ExecRunner RUNNER = new ExecRunner();
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration CMD_TIMEOUT = Duration.ofSeconds(60);
  private static @Nullable Lab instance;

  private final Path dir;
  private final String mode;

  private Lab(Path dir, String mode) {
    this.dir = dir;
    this.mode = mode;
  }

  /** The lab, brought up on first use. */
  public static synchronized Lab get() {
    if (instance != null) {
      return instance;
    }
    Path dir = Path.of("lab").toAbsolutePath();
    Peers.require(Files.isExecutable(dir.resolve("bin/lab")), "the lab scripts at " + dir);
    Peers.require(
        "root".equals(System.getProperty("user.name")), "root (the lab creates namespaces)");
    ExecResult before = RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, "mode")));
    boolean ours = before.succeeded() && before.stdout().strip().equals("none");
    if (ours) {
      ExecResult setup = RUNNER.run(ExecRequest.of(UP_TIMEOUT, dir.resolve("setup").toString()));
      Peers.require(setup.succeeded(), "lab/setup: " + setup.describe());
    }
    ExecResult up = RUNNER.run(ExecRequest.of(UP_TIMEOUT, lab(dir, "up")));
    Peers.require(up.succeeded(), "the lab (lab/bin/lab up): " + up.describe());
    if (ours) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(() -> RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, "down")))));
    }
    ExecResult m = RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, "mode")));
    instance = new Lab(dir, m.stdout().strip());
    return instance;
  }

  private static List<String> lab(Path dir, String... args) {
    List<String> c = new ArrayList<>();
    c.add(dir.resolve("bin/lab").toString());
    c.addAll(List.of(args));
    return c;
  }

  /** {@code host} (the host kernel's IPVS) or {@code guest} (the qemu guest's). */
  public String mode() {
    return mode;
  }

  /** The lab's folder ({@code lab/} of the project). */
  public Path dir() {
    return dir;
  }

  /** {@code lab/bin/director-exec}. */
  public Path directorExec() {
    return dir.resolve("bin/director-exec");
  }

  private String must(String... args) {
    ExecResult r = RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, args)));
    if (!r.succeeded()) {
      throw new IllegalStateException("lab " + String.join(" ", args) + ": " + r.describe());
    }
    return r.stdout().strip();
  }

  /**
   * A new director NAME (a stale one of that name is removed first), its eth0 addressed {@code
   * cidrs} (IPv4 or IPv6; an IPv6 address is added with {@code nodad}).
   */
  public Director director(String name, String... cidrs) {
    RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, "director", "del", name)));
    List<String> a = new ArrayList<>(List.of("director", "add", name));
    a.addAll(List.of(cidrs));
    must(a.toArray(String[]::new));
    return new Director(name, Path.of(must("director", "ipvsadm", name)));
  }

  /** A new host NAME on the LAN with the addresses {@code cidrs} on its eth0. */
  public Host host(String name, String... cidrs) {
    RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, "host", "del", name)));
    List<String> a = new ArrayList<>(List.of("host", "add", name));
    a.addAll(List.of(cidrs));
    must(a.toArray(String[]::new));
    return new Host(name);
  }

  /** A director: its own IPVS table and network stack, NIC eth0 on the LAN. */
  public final class Director implements AutoCloseable {
    private final String name;
    private final Path ipvsadm;

    private Director(String name, Path ipvsadm) {
      this.name = name;
      this.ipvsadm = ipvsadm;
    }

    public String name() {
      return name;
    }

    /** A drop-in ipvsadm for this director ({@code lvs-pulse run --ipvsadm PATH}). */
    public Path ipvsadm() {
      return ipvsadm;
    }

    /** {@code director-exec NAME}: the prefix that runs a command in this director. */
    public List<String> prefix() {
      return List.of(directorExec().toString(), name);
    }

    /** Runs {@code command} in the director; stdout, stderr and the exit status as there. */
    public ExecResult exec(String... command) {
      return exec(null, command);
    }

    /** Runs {@code command} in the director with {@code stdin}. */
    public ExecResult exec(byte @Nullable [] stdin, String... command) {
      List<String> c = new ArrayList<>(prefix());
      c.addAll(List.of(command));
      ExecRequest r = ExecRequest.of(CMD_TIMEOUT, c);
      return RUNNER.run(stdin == null ? r : r.withStdin(stdin));
    }

    /** Runs {@code command}, which must succeed; returns its stdout. */
    public String must(String... command) {
      ExecResult r = exec(command);
      if (!r.succeeded()) {
        throw new IllegalStateException(
            "director " + name + ": " + String.join(" ", command) + ": " + r.describe());
      }
      return r.stdout();
    }

    @Override
    public void close() {
      RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, "director", "del", name)));
    }
  }

  /** A host (real server, client, the daemon's namespace): a network namespace on the LAN. */
  public final class Host implements AutoCloseable {
    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private Host(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    /** {@code host-exec NAME}: the prefix that runs a command in this host's namespace. */
    public List<String> prefix() {
      return List.of(dir.resolve("bin/host-exec").toString(), name);
    }

    /** Runs {@code command} in the host's namespace, which must succeed; returns its stdout. */
    public String must(String... command) {
      List<String> c = new ArrayList<>(prefix());
      c.addAll(List.of(command));
      ExecResult r = RUNNER.run(ExecRequest.of(CMD_TIMEOUT, c));
      if (!r.succeeded()) {
        throw new IllegalStateException(
            "host " + name + ": " + String.join(" ", command) + ": " + r.describe());
      }
      return r.stdout();
    }

    /**
     * Starts {@code command} in the namespace ({@code ip netns exec} execs it: the process is the
     * command itself), output appended to {@code log}; stopped by {@link #close()} if still alive.
     */
    public Process start(Path log, List<String> command) throws IOException {
      List<String> c = new ArrayList<>(prefix());
      c.addAll(command);
      Process p =
          new ProcessBuilder(c)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      processes.add(p);
      return p;
    }

    @Override
    public void close() {
      for (Process p : processes) {
        if (p.isAlive()) {
          p.destroy();
          try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
              p.destroyForcibly();
              p.waitFor(5, TimeUnit.SECONDS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      RUNNER.run(ExecRequest.of(CMD_TIMEOUT, lab(dir, "host", "del", name)));
    }
  }
}
