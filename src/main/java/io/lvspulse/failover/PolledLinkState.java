package io.lvspulse.failover;

import io.lvspulse.exec.ExecRequest;
import io.lvspulse.exec.ExecResult;
import io.lvspulse.exec.ExecRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LinkState#polled}: link states read through a command prefix, polled in the background.
 */
final class PolledLinkState implements LinkState {
  private static final Logger log = LoggerFactory.getLogger(PolledLinkState.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ExecRunner runner;
  private final List<String> prefix;
  private final Duration every;
  private final Map<String, Boolean> states = new ConcurrentHashMap<>();
  private volatile boolean started;

  PolledLinkState(ExecRunner runner, List<String> prefix, Duration every) {
    this.runner = Objects.requireNonNull(runner);
    this.prefix = List.copyOf(prefix);
    this.every = Objects.requireNonNull(every);
  }

  @Override
  public boolean isUp(String iface) {
    Boolean s = states.get(iface);
    if (s == null) {
      s = read(iface);
      states.put(iface, s);
      startPolling();
    }
    return s;
  }

  private synchronized void startPolling() {
    if (started) {
      return;
    }
    started = true;
    Thread t = new Thread(this::poll, "link-state");
    t.setDaemon(true);
    t.start();
  }

  private void poll() {
    while (true) {
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      for (String iface : new ArrayList<>(states.keySet())) {
        boolean up = read(iface);
        Boolean before = states.put(iface, up);
        if (before != null && before != up) {
          log.info("link {}: {}", iface, up ? "up" : "down");
        }
      }
    }
  }

  private boolean read(String iface) {
    List<String> argv = new ArrayList<>(prefix);
    argv.addAll(List.of("ip", "-o", "link", "show", "dev", iface));
    ExecResult r = runner.run(ExecRequest.of(TIMEOUT, argv));
    if (!r.succeeded()) {
      return false;
    }
    return up(r.stdout());
  }

  /** Whether an {@code ip -o link show} line's flags hold UP and LOWER_UP. */
  static boolean up(String line) {
    int a = line.indexOf('<');
    int b = line.indexOf('>', a + 1);
    if (a < 0 || b < 0) {
      return false;
    }
    List<String> flags = List.of(line.substring(a + 1, b).split(","));
    return flags.contains("UP") && flags.contains("LOWER_UP");
  }
}
