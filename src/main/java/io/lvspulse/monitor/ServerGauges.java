package io.lvspulse.monitor;

import java.util.function.Consumer;

/**
 * A live, read-only, thread-safe view of the per-server gauge values ({@link HealthMonitor#UP} and
 * {@link HealthMonitor#WEIGHT}) that the monitor keeps up to date in place. The metrics layer reads
 * it at scrape time, so the monitor registers no per-server meters: one small holder per server
 * instead of two Micrometer gauges and their Prometheus collector entries (about 1 KB per server).
 * A server is in the view from the moment it is monitored until it is deleted (drained or removed).
 */
public interface ServerGauges {

  /** Calls {@code action} for every monitored server, in no particular order. */
  void forEach(Consumer<? super Server> action);

  /** One server's labels (fixed when it is first monitored) and current values. */
  interface Server {
    /** The virtual service's block name. */
    String virtual();

    /** The real server's block name. */
    String server();

    /** The real server's address, in RFC 5952 form for IPv6 ({@code io.lvspulse.net.Addresses}). */
    String address();

    /** The real server's port, in decimal. */
    String port();

    /** 1 when the server passes its health check (and is not draining), 0 otherwise. */
    int up();

    /** The weight lvs-pulse gives the server in IPVS (0 when out, quiesced or draining). */
    int weight();

    /** The operator's admin state ({@link HealthMonitor#ADMIN_STATE}). */
    AdminState admin();
  }
}
