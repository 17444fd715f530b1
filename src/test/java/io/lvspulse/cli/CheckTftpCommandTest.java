package io.lvspulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Exit codes and the one output line of {@code check-tftp}, against a loopback responder. */
class CheckTftpCommandTest {
  private DatagramSocket responder;
  private Thread thread;
  private volatile boolean stop;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void startResponder() throws Exception {
    responder = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    responder.setSoTimeout(50);
    thread =
        new Thread(
            () -> {
              byte[] buf = new byte[2048];
              byte[] notFound = {
                0, 5, 0, 1, 'F', 'i', 'l', 'e', ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd', 0
              };
              while (!stop) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                  responder.receive(p);
                  if (p.getLength() > 2 && buf[1] == 1) {
                    responder.send(
                        new DatagramPacket(notFound, notFound.length, p.getSocketAddress()));
                  }
                } catch (SocketTimeoutException e) {
                  // poll stop
                } catch (Exception e) {
                  return;
                }
              }
            });
    thread.start();
  }

  @AfterEach
  void stopResponder() throws Exception {
    stop = true;
    thread.join(2000);
    responder.close();
  }

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "check-tftp";
    System.arraycopy(args, 0, all, 1, args.length);
    return cl.execute(all);
  }

  private String port() {
    return Integer.toString(responder.getLocalPort());
  }

  @Test
  void a_server_that_answers_is_ok_with_exit_zero_and_perfdata() {
    assertThat(run("--connect", "127.0.0.1", "-p", port())).isZero();
    assertThat(out.toString()).matches("OK - answer from server \\| time=\\d+\\.\\d{6}s\\R");
  }

  @Test
  void a_missing_file_in_get_mode_is_critical_with_check_tftps_message() {
    assertThat(run("--get", "127.0.0.1", "pxelinux.0", "26828", "--port", port(), "--blksize", "0"))
        .isEqualTo(2);
    assertThat(out.toString()).startsWith("Server answered: file pxelinux.0 not found | time=");
  }

  @Test
  void a_silent_server_is_critical_transfer_timed_out_after_the_timeout() {
    try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      long t0 = System.nanoTime();
      assertThat(
              run(
                  "--connect",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(silent.getLocalPort()),
                  "-t",
                  "0.5"))
          .isEqualTo(2);
      assertThat(out.toString()).startsWith("Transfer timed out | time=0.5");
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
    } catch (java.net.SocketException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void an_unknown_host_is_unknown_exit_three_not_zero_as_in_check_tftp() {
    assertThat(run("--connect", "no-such-host.invalid")).isEqualTo(3);
    assertThat(out.toString())
        .isEqualTo("Unknown host no-such-host.invalid" + System.lineSeparator());
  }

  @Test
  void bad_usage_exits_five() {
    assertThat(run()).isEqualTo(5);
    assertThat(run("--connect", "127.0.0.1", "--get", "127.0.0.1", "f", "1")).isEqualTo(5);
    assertThat(run("--get", "127.0.0.1", "f")).isEqualTo(5);
    assertThat(run("--get", "127.0.0.1", "f", "big")).isEqualTo(5);
    assertThat(run("--connect", "127.0.0.1", "-p", "0")).isEqualTo(5);
    assertThat(run("--connect", "127.0.0.1", "-t", "0")).isEqualTo(5);
    assertThat(run("--connect", "127.0.0.1", "--sha256", "ab")).isEqualTo(5);
    assertThat(run("--frobnicate")).isEqualTo(5);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void help_exits_zero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("--connect", "--get");
  }
}
