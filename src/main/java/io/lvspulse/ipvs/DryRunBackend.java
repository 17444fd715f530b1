package io.lvspulse.ipvs;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory IPVS table: logs at INFO, one line each, every ipvsadm command it would run, and
 * applies it with the kernel's rules and error messages. For {@code --ipvs dry-run}, demos and
 * tests.
 */
public final class DryRunBackend implements IpvsBackend {
  private static final Logger log = LoggerFactory.getLogger(DryRunBackend.class);

  /**
   * How many command lines {@link #commandLog()} keeps (the oldest are dropped: a daemon runs for
   * months).
   */
  public static final int COMMAND_LOG_LIMIT = 10_000;

  @GuardedBy("this")
  private IpvsTable table;

  @GuardedBy("this")
  private final java.util.ArrayDeque<String> commandLog = new java.util.ArrayDeque<>();

  /** An empty table. */
  public DryRunBackend() {
    this(IpvsTable.EMPTY);
  }

  /** Starts from {@code initial}. */
  public DryRunBackend(IpvsTable initial) {
    this.table = initial;
  }

  @Override
  public String name() {
    return "dry-run";
  }

  @Override
  public synchronized IpvsTable read() {
    return table;
  }

  /** Every destination of the table with no connection: a dry run carries no traffic. */
  @Override
  public synchronized IpvsConnections connections() {
    java.util.Map<ServiceKey, java.util.Map<java.net.InetSocketAddress, IpvsConnections.Counts>> m =
        new java.util.LinkedHashMap<>();
    for (ServiceKey k : table.keys()) {
      java.util.Map<java.net.InetSocketAddress, IpvsConnections.Counts> d =
          new java.util.LinkedHashMap<>();
      table
          .entry(k)
          .ifPresent(
              e -> e.destinations().keySet().forEach(a -> d.put(a, IpvsConnections.Counts.ZERO)));
      m.put(k, d);
    }
    return new IpvsConnections(m);
  }

  /**
   * The last {@link #COMMAND_LOG_LIMIT} command lines "run", oldest first, e.g. {@code ipvsadm -a
   * -f 1 -r 10.0.0.2:69 -g -w 1}.
   */
  public synchronized List<String> commandLog() {
    return List.copyOf(commandLog);
  }

  @Override
  public synchronized void apply(List<IpvsCommand> batch) throws IpvsException {
    IpvsTable.Builder b = table.toBuilder();
    List<String> errors = new ArrayList<>();
    for (IpvsCommand c : batch) {
      record("ipvsadm " + c.line());
      String err = b.apply(c);
      if (err != null) {
        errors.add(err + " (" + c.line() + ")");
      }
    }
    table = b.build();
    if (!errors.isEmpty()) {
      throw new IpvsException(IpvsException.Kind.FAILED, "dry-run: " + String.join("; ", errors));
    }
  }

  @Override
  public synchronized void setTimeouts(IpvsTimeouts timeouts) {
    record("ipvsadm " + String.join(" ", timeouts.args()));
  }

  @GuardedBy("this")
  private VsSysctls sysctls = new VsSysctls(false, false);

  /** The kernel's defaults (both 0) until {@link #enableSysctls}. */
  @Override
  public synchronized java.util.Optional<VsSysctls> sysctls() {
    return java.util.Optional.of(sysctls);
  }

  @Override
  public synchronized void enableSysctls() {
    record("sysctl -w " + String.join(" ", VsSysctls.ENABLE_ARGS));
    sysctls = new VsSysctls(true, true);
  }

  @Override
  public synchronized void startSyncDaemon(SyncDaemonRole role, String iface, int syncId) {
    record("ipvsadm " + String.join(" ", IpvsadmBackend.startDaemonArgs(role, iface, syncId)));
  }

  @Override
  public synchronized void stopSyncDaemon(SyncDaemonRole role) {
    record("ipvsadm --stop-daemon " + role.arg());
  }

  @GuardedBy("this")
  private void record(String line) {
    if (commandLog.size() >= COMMAND_LOG_LIMIT) {
      commandLog.removeFirst();
    }
    commandLog.addLast(line);
    log.info("dry-run: would run {}", line);
  }
}
