package io.lvspulse.ipvs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;

/**
 * Counts and times every call of a backend: {@code lvs_pulse_ipvsadm_commands_total{result="ok|
 * failed|timeout"}} (one per ipvsadm invocation: a whole {@code -R} batch is one, a {@code -S -n}
 * read is one) and {@code lvs_pulse_ipvsadm_duration_seconds}.
 */
public final class MeteredIpvsBackend implements IpvsBackend {
  /** Micrometer name of the counter (Prometheus adds {@code _total}). */
  public static final String COMMANDS = "lvs_pulse_ipvsadm_commands";

  /** Micrometer name of the timer (Prometheus adds {@code _seconds}). */
  public static final String DURATION = "lvs_pulse_ipvsadm_duration";

  private final IpvsBackend delegate;
  private final MeterRegistry registry;
  private final Counter ok;
  private final Counter failed;
  private final Counter timeout;
  private final Timer duration;

  public MeteredIpvsBackend(IpvsBackend delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
    this.ok = counter(registry, "ok");
    this.failed = counter(registry, "failed");
    this.timeout = counter(registry, "timeout");
    this.duration =
        Timer.builder(DURATION).description("Time spent in ipvsadm calls").register(registry);
  }

  /**
   * {@code backend} counted in {@code registry}: itself when it is already counted there (wrapping
   * it again would count every call twice), else a new {@code MeteredIpvsBackend}.
   */
  public static IpvsBackend of(IpvsBackend backend, MeterRegistry registry) {
    if (backend instanceof MeteredIpvsBackend m && m.registry == registry) {
      return m;
    }
    return new MeteredIpvsBackend(backend, registry);
  }

  private static Counter counter(MeterRegistry r, String result) {
    return Counter.builder(COMMANDS)
        .description("ipvsadm invocations by result (one -R batch counts once)")
        .tag("result", result)
        .register(r);
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws IpvsException;
  }

  @FunctionalInterface
  private interface Action {
    void run() throws IpvsException;
  }

  private void meteredRun(Action action) throws IpvsException {
    Boolean unused =
        metered(
            () -> {
              action.run();
              return true;
            });
  }

  private <T> T metered(Call<T> call) throws IpvsException {
    long t0 = System.nanoTime();
    try {
      T v = call.run();
      ok.increment();
      return v;
    } catch (IpvsException e) {
      (e.kind() == IpvsException.Kind.TIMEOUT ? timeout : failed).increment();
      throw e;
    } finally {
      duration.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public IpvsTable read() throws IpvsException {
    return metered(delegate::read);
  }

  @Override
  public void apply(List<IpvsCommand> batch) throws IpvsException {
    meteredRun(() -> delegate.apply(batch));
  }

  @Override
  public IpvsConnections connections() throws IpvsException {
    return metered(delegate::connections);
  }

  @Override
  public void setTimeouts(IpvsTimeouts timeouts) throws IpvsException {
    meteredRun(() -> delegate.setTimeouts(timeouts));
  }

  @Override
  public void startSyncDaemon(SyncDaemonRole role, String iface, int syncId) throws IpvsException {
    meteredRun(() -> delegate.startSyncDaemon(role, iface, syncId));
  }

  @Override
  public void stopSyncDaemon(SyncDaemonRole role) throws IpvsException {
    meteredRun(() -> delegate.stopSyncDaemon(role));
  }

  @Override
  public java.util.Optional<VsSysctls> sysctls() throws IpvsException {
    return delegate.sysctls();
  }

  @Override
  public void enableSysctls() throws IpvsException {
    meteredRun(() -> delegate.enableSysctls());
  }
}
