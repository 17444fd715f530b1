package io.lvspulse.daemon;

import io.lvspulse.config.ConfigException;
import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.ProbeSpec;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.net.Addresses;
import io.lvspulse.probe.ConfiguredProbe;
import io.lvspulse.probe.ProbeSource;
import io.lvspulse.probe.kinds.ProbeKinds;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lvs-pulse demo}: the real daemon on the dry-run IPVS backend with an unchanged lvs.cf, but
 * every probe goes to a built-in TFTP server on a loopback address instead of the real server's
 * address, so the demo works on any machine and sends nothing off it. IPVS commands (logged by the
 * dry-run backend) still name the configured addresses. Failover is off (no heartbeats are sent).
 * Every {@code outagePeriod} seconds the last real server is taken down for a while, so the log and
 * /status show a failure, the quiesce and the re-entry.
 */
public final class Demo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);

  private final Map<String, DemoTftpServer> servers = new LinkedHashMap<>();
  private final ScheduledExecutorService outages =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lvs-pulse-demo");
            t.setDaemon(true);
            return t;
          });
  private final Daemon daemon;

  private Demo(Daemon daemon) {
    this.daemon = daemon;
  }

  /** Creates the demo: one loopback TFTP server per active real server (127.0.0.2, .3, ...). */
  public static Demo create(DaemonOptions options, int outagePeriodSeconds)
      throws Daemon.StartupException {
    LvsConfig cfg;
    try {
      cfg = new LvsConfigParser().parse(options.config()).config();
    } catch (ConfigException e) {
      List<String> lines = new ArrayList<>();
      e.errors().forEach(d -> lines.add(d.toString()));
      throw new Daemon.StartupException(String.join("\n", lines));
    }
    Map<String, DemoTftpServer> byKey = new LinkedHashMap<>();
    int next = 2;
    for (VirtualService v : cfg.activeVirtuals()) {
      for (RealServer rs : v.activeServers()) {
        String key = key(rs);
        if (!byKey.containsKey(key) && next < 255) {
          byKey.put(key, new DemoTftpServer(new InetSocketAddress(loopback(next++), 69)));
        }
      }
    }
    ProbeSourceRedirect redirect = new ProbeSourceRedirect(byKey);
    Daemon d = Daemon.create(options, redirect);
    Demo demo = new Demo(d);
    demo.servers.putAll(byKey);
    for (Map.Entry<String, DemoTftpServer> e : byKey.entrySet()) {
      try {
        e.getValue().start();
        log.info(
            "demo: real server {} is simulated by a TFTP server on {}",
            e.getKey(),
            e.getValue().address());
      } catch (IOException ex) {
        throw new Daemon.StartupException(
            "demo: cannot listen on "
                + e.getValue().address()
                + " ("
                + ex.getMessage()
                + "); run as root (port 69)");
      }
    }
    if (outagePeriodSeconds > 0 && !byKey.isEmpty()) {
      List<DemoTftpServer> list = new ArrayList<>(byKey.values());
      DemoTftpServer victim = list.get(list.size() - 1);
      long down = Math.max(5, outagePeriodSeconds / 3);
      demo.outages.scheduleAtFixedRate(
          () -> {
            log.info("demo: taking {} down for {} s", victim.address(), down);
            victim.stop();
            demo.outages.schedule(
                () -> {
                  try {
                    victim.start();
                    log.info("demo: {} is answering again", victim.address());
                  } catch (IOException ex) {
                    log.warn("demo: cannot restart {}: {}", victim.address(), ex.getMessage());
                  }
                },
                down,
                TimeUnit.SECONDS);
          },
          outagePeriodSeconds,
          outagePeriodSeconds,
          TimeUnit.SECONDS);
    }
    return demo;
  }

  public Daemon daemon() {
    return daemon;
  }

  private static String key(RealServer rs) {
    return Addresses.canonical(new java.net.InetSocketAddress(rs.address(), rs.port()));
  }

  private static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Probes the loopback stand-in of each real server instead of the real server. */
  private static final class ProbeSourceRedirect implements Daemon.ProbeSourceFactory {
    private final Map<String, DemoTftpServer> byKey;

    ProbeSourceRedirect(Map<String, DemoTftpServer> byKey) {
      this.byKey = byKey;
    }

    @Override
    public ProbeSource create() throws IOException {
      return new Redirected(ProbeKinds.open(), byKey);
    }
  }

  private static final class Redirected implements ProbeSource, AutoCloseable {
    private final ProbeKinds kinds;
    private final Map<String, DemoTftpServer> byKey;

    Redirected(ProbeKinds kinds, Map<String, DemoTftpServer> byKey) {
      this.kinds = kinds;
      this.byKey = byKey;
    }

    private RealServer stand_in(RealServer rs) {
      DemoTftpServer s = byKey.get(key(rs));
      InetSocketAddress a = s != null ? s.address() : new InetSocketAddress(loopback(1), 9);
      return new RealServer(rs.name(), a.getAddress(), rs.active(), rs.weight(), a.getPort());
    }

    @Override
    public ConfiguredProbe create(ProbeSpec spec, RealServer server) {
      ConfiguredProbe p = kinds.create(spec, stand_in(server));
      return new ConfiguredProbe(
          p.kind(), p.description() + " (demo stand-in for " + key(server) + ")", p.probe());
    }

    @Override
    public void close() {
      kinds.close();
    }
  }

  /** Starts the daemon. */
  public void start() throws Daemon.StartupException {
    daemon.start();
  }

  @Override
  public void close() {
    outages.shutdownNow();
    daemon.close();
    servers.values().forEach(DemoTftpServer::close);
  }
}
