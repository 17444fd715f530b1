package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lvspulse.config.HostResolver;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.ServiceNames;
import io.lvspulse.probe.kinds.ProbeKinds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 9 item 10: a valid file that would take the director out of service (an empty file, a file
 * cut after its global section, every server inactive) is refused on reload unless forced (SIGUSR1,
 * {@link Daemon#reload(boolean)}); before the fix it was applied and silently withdrew every
 * service. Also item 2's 100,000-server file under the unit's heap limits.
 */
class OutOfServiceReloadTest {
  @TempDir Path dir;
  private Path config;
  private Daemon daemon;
  private DaemonOptions options;
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  private void start(LvsConfigParser parser) throws Exception {
    config = dir.resolve("lvs.cf");
    Files.writeString(config, BadReloadTest.good(BadReloadTest.closedPort()));
    options = BadReloadTest.options(config);
    daemon = Daemon.create(options, ProbeKinds::open, parser);
    daemon.start();
    lines.start();
    root.addAppender(lines);
  }

  @AfterEach
  void stop() {
    root.detachAppender(lines);
    if (daemon != null) {
      daemon.close();
    }
  }

  private List<String> errors() {
    return lines.list.stream()
        .filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void an_empty_file_is_refused_and_applied_only_when_forced() throws Exception {
    start(new LvsConfigParser());
    LvsConfig running = BadReloadTest.running(daemon);
    Files.writeString(config, "");

    assertThat(daemon.reload()).isFalse();
    assertThat(BadReloadTest.running(daemon)).isSameAs(running);
    assertThat(errors())
        .containsExactly(
            "reload refused, keeping the running config: "
                + config
                + ": the new file has no active virtual service (the running config has 2): it"
                + " would withdraw every virtual service; "
                + Daemon.FORCE_HINT);
    assertThat(BadReloadTest.metrics(options))
        .contains("lvs_pulse_config_reloads_total{result=\"failed\"} 1.0")
        .contains("lvs_pulse_config_last_reload_successful 0.0");
    assertThat(daemon.status().monitor().servers()).hasSize(2);

    assertThat(daemon.reload(true)).isTrue();
    assertThat(BadReloadTest.running(daemon).virtuals()).isEmpty();
    assertThat(BadReloadTest.metrics(options))
        .contains("lvs_pulse_config_reloads_total{result=\"ok\"} 1.0")
        .contains("lvs_pulse_config_last_reload_successful 1.0");
    assertThat(
            lines.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage))
        .contains(
            "forced reload of "
                + config
                + ": the new file has no active virtual service (the running config has 2): it"
                + " would withdraw every virtual service");
  }

  @Test
  void a_file_cut_after_its_global_section_or_with_every_server_inactive_is_refused()
      throws Exception {
    start(new LvsConfigParser());
    LvsConfig running = BadReloadTest.running(daemon);
    String good = Files.readString(config);
    Files.writeString(config, good.substring(0, good.indexOf("virtual web {")));
    assertThat(daemon.reload()).isFalse();
    Files.writeString(config, good.replace("active = 1\n }", "active = 0\n }"));
    assertThat(daemon.reload()).isFalse();
    assertThat(BadReloadTest.running(daemon)).isSameAs(running);
    assertThat(errors()).hasSize(2);
    assertThat(errors().get(1))
        .contains(
            "the new file has no active real server in its 2 active virtual service(s) (the"
                + " running config has 2): it would remove every real server");
  }

  @Test
  void a_reload_that_removes_some_services_is_an_ordinary_change() throws Exception {
    start(new LvsConfigParser());
    String good = Files.readString(config);
    Files.writeString(config, good.substring(0, good.indexOf("virtual web2 {")));
    assertThat(daemon.reload()).isTrue();
    assertThat(BadReloadTest.running(daemon).activeVirtuals()).hasSize(1);
    assertThat(errors()).isEmpty();
  }

  @Test
  void
      a_hundred_thousand_servers_or_seventy_thousand_written_compactly_are_refused_under_the_units_heap()
          throws Exception {
    LvsConfigParser unit =
        new LvsConfigParser(
            HostResolver.system(),
            ServiceNames.system(),
            LvsConfigParser.Limits.forHeap(63_373_312L)); // -Xmx64m -Xmn8m -XX:+UseSerialGC
    start(unit);
    LvsConfig running = BadReloadTest.running(daemon);
    StringBuilder verbose = new StringBuilder("virtual web {\n active = 1\n");
    StringBuilder compact = new StringBuilder("virtual web {\n active = 1\n");
    for (int i = 0; i < 100_000; i++) {
      String a = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
      verbose.append(" server s").append(i).append(" {\n  address = ").append(a);
      verbose.append("\n  active = 1\n  weight = 1\n }\n");
      if (i < 70_000) { // one line per server: 70,000 fit under the file size limit
        compact.append("server s").append(i).append(" { address = ").append(a).append(" }\n");
      }
    }
    Files.writeString(config, verbose.append("}\n"));
    assertThat(daemon.reload()).isFalse();
    assertThat(errors().get(0)).contains("lvs-pulse reads files of at most 3145728 bytes");
    Files.writeString(config, compact.append("}\n"));
    assertThat(Files.size(config)).isLessThan(3L << 20);
    assertThat(daemon.reload()).isFalse();
    assertThat(errors().get(1))
        .contains(
            "too many blocks: the file has more than 10300 virtual, failover and server blocks");
    assertThat(BadReloadTest.running(daemon)).isSameAs(running);
    assertThat(daemon.status().monitor().servers()).hasSize(2);
  }
}
