package io.lvspulse.ipvs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.DaemonProcess;
import io.lvspulse.testing.Lab;
import io.lvspulse.testing.TftpClusterConfig;
import io.lvspulse.testing.TftpdHpa;
import io.lvspulse.testing.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon process with {@code --ipvs ipvsadm} against a real IPVS kernel: a director of the
 * project's lab ({@link Lab}: the host's IPVS in a network namespace, or the lab's qemu guest),
 * driven through its drop-in ipvsadm. The real servers are tftpd-hpa on 127.0.0.21/22 on this host;
 * the director does not reach them, only its table is checked (with {@code ipvsadm -S -n} after
 * each step). The test owns fwmark services 201 (managed by the daemon) and 202 (an operator's
 * service the daemon must never touch) and deletes only those.
 */
class DaemonRealIpvsIT {
  private static final int MARK = 201;
  private static final int FOREIGN_MARK = 202;
  private static final String VIP = "198.51.100.201";
  private static final List<String> FOREIGN =
      List.of("-A -f 202 -s rr", "-a -f 202 -r 10.0.0.202:0 -g -w 7");
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir Path dir;
  private Path ipvsadm;
  private Lab.@Nullable Director director;
  private final List<AutoCloseable> started = new ArrayList<>();

  @BeforeEach
  void aDirector() throws Exception {
    director = Lab.get().director("ipvsit");
    Path wrapper = director.ipvsadm();
    Result r = run(wrapper, "-S", "-n");
    assertThat(r.code()).as("ipvsadm -S -n: " + r.err()).isZero();
    ipvsadm = wrapper;
    deleteOwnServices();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    started.clear();
    if (ipvsadm != null) {
      deleteOwnServices();
    }
    if (director != null) {
      director.close();
    }
  }

  /** Deletes fwmark services 201 and 202 if present (never anything else; never -C). */
  private void deleteOwnServices() throws Exception {
    List<String> table = table();
    for (int mark : new int[] {MARK, FOREIGN_MARK}) {
      if (table.stream().anyMatch(l -> l.startsWith("-A -f " + mark + " "))) {
        Result r = ipvsadm("-D", "-f", Integer.toString(mark));
        assertThat(r.code()).as("ipvsadm -D -f " + mark + ": " + r.err()).isZero();
      }
    }
  }

  record Result(int code, String out, String err) {}

  private Result ipvsadm(String... args) throws IOException, InterruptedException {
    return run(ipvsadm, args);
  }

  private Result run(Path binary, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "ipvsadm", ".out");
    Path err = Files.createTempFile(dir, "ipvsadm", ".err");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError("ipvsadm " + List.of(args) + " hung");
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  /** The kernel's table, {@code ipvsadm -S -n}, one rule a line. */
  private List<String> table() throws IOException, InterruptedException {
    Result r = ipvsadm("-S", "-n");
    assertThat(r.code()).as("ipvsadm -S -n: " + r.err()).isZero();
    return r.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  /** The rules of fwmark service {@code mark}, in kernel order. */
  private List<String> rules(int mark) throws IOException, InterruptedException {
    String svc = "-f " + mark + " ";
    return table().stream().filter(l -> l.contains(svc)).toList();
  }

  private List<String> awaitRules(int mark, String what, Predicate<List<String>> p)
      throws Exception {
    AtomicReference<List<String>> seen = new AtomicReference<>(List.of());
    Waits.until(
        "kernel table shows " + what,
        CONVERGE,
        Duration.ofMillis(200),
        () -> {
          seen.set(rules(mark));
          if (p.test(seen.get())) {
            return true;
          }
          for (AutoCloseable c : started) {
            if (c instanceof DaemonProcess d) {
              d.assertAlive();
            }
          }
          return false;
        },
        () -> timedOut(what, seen.get()));
    return seen.get();
  }

  private String timedOut(String what, List<String> last) {
    String logs =
        started.stream()
            .filter(c -> c instanceof DaemonProcess)
            .map(c -> ((DaemonProcess) c).log())
            .reduce("", String::concat);
    return "kernel table never showed "
        + what
        + " within "
        + CONVERGE
        + "; last: "
        + last
        + "\nlog:\n"
        + logs;
  }

  private void assertForeignUntouched() throws Exception {
    assertThat(rules(FOREIGN_MARK))
        .as("the service lvs-pulse does not manage")
        .containsExactlyElementsOf(FOREIGN);
  }

  private DaemonProcess daemon(Path cfg, String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--config",
                cfg.toString(),
                "--ipvs",
                "ipvsadm",
                "--ipvsadm",
                ipvsadm.toString(),
                "--reconcile-interval",
                "2",
                "--no-failover"));
    args.addAll(List.of(extra));
    DaemonProcess d = DaemonProcess.start(dir, args);
    started.add(d);
    return d;
  }

  private TftpdHpa tftpd(String host) throws Exception {
    TftpdHpa t = TftpdHpa.start(host);
    started.add(t);
    return t;
  }

  private void addForeignService() throws Exception {
    for (String rule : FOREIGN) {
      Result r = ipvsadm(rule.split(" "));
      assertThat(r.code()).as(rule + ": " + r.err()).isZero();
    }
  }

  @Test
  void the_daemon_programs_the_kernel_quiesces_a_failed_server_and_repairs_an_operators_deletion()
      throws Exception {
    addForeignService();
    tftpd("127.0.0.21");
    TftpdHpa ftp2 = tftpd("127.0.0.22");
    Path cfg = dir.resolve("lvs.cf");
    Files.writeString(
        cfg,
        TftpClusterConfig.example(List.of("ftp1=127.0.0.21", "ftp2=127.0.0.22"))
            .withService(MARK, VIP)
            .text());
    DaemonProcess d = daemon(cfg);

    String one = "-a -f 201 -r 127.0.0.21:0 -g -w 1";
    String two = "-a -f 201 -r 127.0.0.22:0 -g -w 1";
    awaitRules(MARK, "both servers at weight 1", r -> r.contains(one) && r.contains(two));
    assertThat(rules(MARK)).containsExactly("-A -f 201 -s wlc -p 45", one, two);
    assertForeignUntouched();

    // A stopped server is quiesced in the kernel (weight 0), not deleted.
    ftp2.stop();
    String twoQuiesced = "-a -f 201 -r 127.0.0.22:0 -g -w 0";
    awaitRules(MARK, "ftp2 at weight 0", r -> r.contains(twoQuiesced) && r.contains(one));
    assertForeignUntouched();

    // An operator deletes a managed server by hand: the periodic reconcile (2 s) puts it back.
    Result del = ipvsadm("-d", "-f", "201", "-r", "127.0.0.21:0");
    assertThat(del.code()).as(del.err()).isZero();
    assertThat(rules(MARK)).doesNotContain(one);
    long deletedAt = System.nanoTime();
    awaitRules(MARK, "ftp1 restored by the reconcile", r -> r.contains(one));
    assertThat(Duration.ofNanos(System.nanoTime() - deletedAt))
        .as("repaired within a few reconcile intervals")
        .isLessThan(Duration.ofSeconds(15));
    assertForeignUntouched();

    // Back after the reentry count.
    ftp2.start();
    awaitRules(MARK, "ftp2 back at weight 1", r -> r.contains(two));
    assertForeignUntouched();
    assertThat(d.metrics())
        .containsPattern("(?m)^lvs_pulse_ipvsadm_commands_total\\{result=\"ok\"\\} [1-9]");

    // SIGTERM leaves IPVS as it is.
    assertThat(d.stop()).isIn(0, 143);
    assertThat(rules(MARK)).containsExactly("-A -f 201 -s wlc -p 45", one, two);
    assertForeignUntouched();
  }

  @Test
  void cleanup_on_stop_deletes_only_the_managed_service() throws Exception {
    addForeignService();
    tftpd("127.0.0.21");
    Path cfg = dir.resolve("lvs.cf");
    Files.writeString(
        cfg, TftpClusterConfig.example(List.of("ftp1=127.0.0.21")).withService(MARK, VIP).text());
    DaemonProcess d = daemon(cfg, "--cleanup-on-stop");
    awaitRules(MARK, "ftp1 at weight 1", r -> r.contains("-a -f 201 -r 127.0.0.21:0 -g -w 1"));
    assertThat(d.stop()).isIn(0, 143);
    assertThat(rules(MARK)).as("managed service deleted on stop").isEmpty();
    assertForeignUntouched();
  }
}
