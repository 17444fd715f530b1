package io.lvspulse.testing;

import io.lvspulse.announce.AnnounceException;
import io.lvspulse.announce.BirdControl;
import io.lvspulse.announce.BirdReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real BIRD 2 ({@code bird -f -c CONF -s SOCKET}) running inside a network namespace the test
 * created, its control socket and log in the test's directory. {@link #start()} waits until the
 * socket greets; {@link #kill9()} and {@link #stop()} end it by its PID; it can be started again
 * with the same config and socket (a BIRD restart).
 */
public final class BirdProcess implements AutoCloseable {
  private final String netns;
  private final Path config;
  private final Path socket;
  private final Path log;
  private @Nullable Process process;

  private BirdProcess(String netns, Path config, Path socket, Path log) {
    this.netns = netns;
    this.config = config;
    this.socket = socket;
    this.log = log;
  }

  /** The bird binary ({@code LVS_PULSE_BIRD} or /usr/sbin/bird, Debian's bird2 package). */
  public static Path binary() {
    return Peers.requireExecutable(
        "BIRD 2 (Debian package bird2)", "LVS_PULSE_BIRD", "/usr/sbin/bird");
  }

  /** Writes {@code dir/NAME.conf} and starts BIRD in {@code netns} with it. */
  public static BirdProcess start(String netns, Path dir, String name, String configText)
      throws IOException, InterruptedException {
    binary();
    Files.createDirectories(dir);
    Path conf = dir.resolve(name + ".conf");
    Files.writeString(conf, configText, StandardCharsets.UTF_8);
    BirdProcess b =
        new BirdProcess(netns, conf, dir.resolve(name + ".ctl"), dir.resolve(name + ".log"));
    try {
      b.start();
    } catch (IOException | RuntimeException | Error e) {
      b.close();
      throw e;
    }
    return b;
  }

  /** (Re)starts BIRD and waits (at most 15 s) until its control socket greets. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return;
    }
    Files.deleteIfExists(socket);
    process =
        new ProcessBuilder(
                List.of(
                    "ip",
                    "netns",
                    "exec",
                    netns,
                    binary().toString(),
                    "-f",
                    "-c",
                    config.toString(),
                    "-s",
                    socket.toString(),
                    "-P",
                    socket.resolveSibling(socket.getFileName() + ".pid").toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    Waits.until(
        "bird in " + netns + " answers",
        Duration.ofSeconds(15),
        Duration.ofMillis(50),
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError(
                "bird in " + netns + " exited with " + process.exitValue() + ":\n" + log());
          }
          try (BirdControl c = new BirdControl(socket, Duration.ofSeconds(1))) {
            c.command("show status");
            return true;
          } catch (AnnounceException e) {
            return false;
          }
        },
        () -> "bird in " + netns + " did not answer within 15 s:\n" + log());
  }

  /** Runs one birdc command over the socket. */
  public BirdReply birdc(String command) throws AnnounceException {
    try (BirdControl c = new BirdControl(socket, Duration.ofSeconds(5))) {
      return c.command(command);
    }
  }

  /** SIGKILL, and waits for the process. */
  public synchronized void kill9() throws InterruptedException {
    Process p = process;
    process = null;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM (BIRD shuts its sessions down), then SIGKILL after 10 s. */
  public synchronized void stop() throws InterruptedException {
    Process p = process;
    process = null;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  public Path socket() {
    return socket;
  }

  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("not running");
    }
    return process.pid();
  }

  /** The log so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
