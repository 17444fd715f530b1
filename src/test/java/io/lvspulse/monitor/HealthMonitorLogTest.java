package io.lvspulse.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 9 item 11: the monitor's log lines about single servers. A peer's text (a TFTP server's
 * error string, a program's output) is escaped before it reaches the line, and when many servers
 * change at once the lines past the budget are summarised and counted instead of written. Before
 * the fix, the text went to the log raw and 500 flapping servers wrote 115 lines a second (571 at
 * most).
 */
class HealthMonitorLogTest {
  private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");
  private final Logger logger = (Logger) LoggerFactory.getLogger(HealthMonitor.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<String, ProbeResult> answers = new ConcurrentHashMap<>();
  private volatile Instant now = T0;
  private HealthMonitor monitor;

  @BeforeEach
  void capture() {
    lines.start();
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
    logger.addAppender(lines);
  }

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
    logger.detachAppender(lines);
    logger.setLevel(null);
    logger.setAdditive(true);
  }

  private static final class NoScheduler implements ProbeScheduler {
    @Override
    public void schedule(String name, Duration interval, Duration initialDelay, Runnable fire) {}

    @Override
    public void unschedule(String name) {}

    @Override
    public void start() {}

    @Override
    public void close() {}
  }

  private static String address(int i) {
    return "10.0." + (i / 250) + "." + (1 + i % 250);
  }

  private LvsConfig config(int servers) throws Exception {
    StringBuilder b =
        new StringBuilder(
            "virtual tftp {\n active = 1\n address = 203.0.113.10 eth0:1\n fwmark = 1\n port = 69\n"
                + " protocol = udp\n quiesce_server = 1\n timeout = 6\n reentry = 6\n"
                + " slow_start = 0\n send_program = \"/bin/true %h\"\n");
    for (int i = 0; i < servers; i++) {
      b.append(" server s").append(i).append(" {\n  address = ").append(address(i));
      b.append("\n  active = 1\n }\n");
    }
    return new LvsConfigParser().parse("t.cf", b.append("}\n").toString()).config();
  }

  private void start(int servers) throws Exception {
    InstantSource clock = () -> now;
    monitor =
        new HealthMonitor(
            (spec, rs) ->
                new ConfiguredProbe(
                    "fake",
                    "fake",
                    () ->
                        CompletableFuture.completedFuture(
                            answers.getOrDefault(
                                rs.address().getHostAddress(),
                                ProbeResult.ok("OK", Duration.ofMillis(1))))),
            new NoScheduler(),
            clock,
            registry,
            s -> {});
    monitor.start(config(servers));
    monitor.awaitIdle();
  }

  private void probe(int i) throws Exception {
    monitor.fireNow(ServerId.of("tftp", InetAddress.getByName(address(i)), 69));
  }

  private List<String> stateLines() {
    return lines.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith("server ") || m.startsWith("state changes: "))
        .toList();
  }

  @Test
  void a_peers_error_text_is_logged_escaped() throws Exception {
    start(1);
    answers.put(
        address(0),
        ProbeResult.failure(
            FailureCause.TRANSFER_ERROR,
            "Error code 1: x\n2026-11-26 INFO server tftp/10.0.0.9:69 down -> up\u001b[2J",
            Duration.ofMillis(1)));
    probe(0);
    monitor.awaitIdle();
    assertThat(stateLines())
        .singleElement()
        .asString()
        .startsWith(
            "server tftp/10.0.0.1:69 unknown -> down: Error code 1: x\\n2026-11-26 INFO server"
                + " tftp/10.0.0.9:69 down -> up\\x1b[2J (");
  }

  @Test
  void each_change_is_a_line_while_few_servers_change() throws Exception {
    start(20);
    for (int i = 0; i < 20; i++) {
      probe(i);
    }
    monitor.awaitIdle();
    assertThat(stateLines()).hasSize(20).allMatch(l -> l.contains("unknown -> up: OK"));
    assertThat(registry.get(HealthMonitor.LOG_LINES_SUPPRESSED).counter().count()).isZero();
  }

  @Test
  void many_servers_changing_at_once_log_the_burst_then_one_summary_a_second() throws Exception {
    start(500);
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 500; i++) {
        answers.put(
            address(i),
            round % 2 == 0
                ? ProbeResult.ok("OK", Duration.ofMillis(1))
                : ProbeResult.failure(FailureCause.TIMEOUT, "timed out", Duration.ofSeconds(1)));
        probe(i);
      }
      monitor.awaitIdle();
      now = now.plusSeconds(1);
      monitor.tickNow();
    }
    // 2,500 transitions in 5 s: the burst of 100, 10 a second after it, one summary a second
    List<String> logged = stateLines();
    assertThat(logged).hasSizeLessThanOrEqualTo(100 + 5 * 10 + 5);
    assertThat(logged.stream().filter(l -> l.startsWith("state changes: ")).count()).isEqualTo(5);
    double suppressed = registry.get(HealthMonitor.LOG_LINES_SUPPRESSED).counter().count();
    assertThat(suppressed + logged.size() - 5).isEqualTo(2500);
    assertThat(logged.get(logged.size() - 1))
        .matches(
            "state changes: \\d+ lines not logged one by one in the last 1\\.0 s \\(\\d+ down -> up\\);"
                + " e\\.g\\. tftp/.*");
  }
}
