package io.lvspulse.testing;

import io.lvspulse.probe.tftp.TftpCheck;
import io.lvspulse.probe.tftp.TftpProbeEngine;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A real tftpd-hpa ({@code in.tftpd -L -a ADDR:69 -s -u nobody ROOT}) on one loopback address with
 * its own temporary root. {@link #start()} waits until it answers a TFTP request; {@link #stop()}
 * ends it (it can be started again on the same address); {@link #close()} also removes the root.
 */
public final class TftpdHpa implements AutoCloseable {
  private final InetSocketAddress address;
  private final Path root;
  private @Nullable Process process;

  private TftpdHpa(InetSocketAddress address, Path root) {
    this.address = address;
    this.root = root;
  }

  /**
   * Starts tftpd-hpa on {@code host}:69 (skips locally / fails under CI when it is not installed).
   */
  public static TftpdHpa start(String host) throws IOException, InterruptedException {
    return start(host, 69);
  }

  /** Starts tftpd-hpa on {@code host}:{@code port}. */
  public static TftpdHpa start(String host, int port) throws IOException, InterruptedException {
    Peers.inTftpd();
    Path root = Files.createTempDirectory("lvs-pulse-tftpd-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(root.resolve("hello.txt"), "hello\n");
    Files.setPosixFilePermissions(
        root.resolve("hello.txt"), PosixFilePermissions.fromString("rw-r--r--"));
    TftpdHpa t = new TftpdHpa(new InetSocketAddress(host, port), root);
    try {
      t.start();
    } catch (IOException | RuntimeException | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  /** (Re)starts the server and waits (at most 10 s) until it answers. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return;
    }
    requireFree();
    String bind = address.getAddress().getHostAddress() + ":" + address.getPort();
    process =
        new ProcessBuilder(
                List.of(
                    Peers.inTftpd().toString(),
                    "-L",
                    "-a",
                    bind,
                    "-s",
                    "-u",
                    "nobody",
                    root.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (TftpProbeEngine engine = new TftpProbeEngine()) {
      Waits.until(
          "in.tftpd on " + bind + " answers",
          Duration.ofSeconds(15),
          Duration.ofMillis(50),
          () -> {
            if (!process.isAlive()) {
              throw new AssertionError(
                  "in.tftpd on " + bind + " exited with " + process.exitValue());
            }
            try {
              return engine
                  .probe(TftpCheck.connect(address, Duration.ofMillis(100)))
                  .get(5, TimeUnit.SECONDS)
                  .success();
            } catch (ExecutionException | TimeoutException e) {
              throw new IOException("probing in.tftpd on " + bind + ": " + e, e);
            }
          },
          () -> "in.tftpd on " + bind + " did not answer within 15 s");
    }
  }

  /** Fails clearly when something else already serves this address and port. */
  private void requireFree() {
    try (DatagramSocket s = new DatagramSocket(address)) {
      s.close();
    } catch (SocketException e) {
      throw new AssertionError(
          "UDP " + address + " is already in use (another tftpd or test?): " + e.getMessage());
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  public synchronized void stop() throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    process = null;
    if (!p.isAlive()) {
      return;
    }
    try {
      DaemonProcess.signal("CONT", p.pid()); // in case a test froze it
    } catch (IOException | AssertionError e) {
      // already gone
    }
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** Freezes the server with SIGSTOP: it neither answers nor refuses (probes time out). */
  public synchronized void freeze() throws IOException, InterruptedException {
    DaemonProcess.signal("STOP", pid());
  }

  /** Resumes a frozen server (SIGCONT). */
  public synchronized void thaw() throws IOException, InterruptedException {
    DaemonProcess.signal("CONT", pid());
  }

  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("not running");
    }
    return process.pid();
  }

  public InetSocketAddress address() {
    return address;
  }

  public String host() {
    return address.getAddress().getHostAddress();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    try (var files = Files.list(root)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(root);
    } catch (IOException e) {
      // a leftover temp dir is harmless
    }
  }
}
