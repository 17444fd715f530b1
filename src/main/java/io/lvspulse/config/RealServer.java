package io.lvspulse.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A {@code server NAME { ... }} block inside a virtual service.
 *
 * @param name the block name (a label for logs and metrics)
 * @param address the real server's IPv4 address (a host name is resolved once, at parse time)
 * @param active {@code active}: Piranha default 0, so a server without {@code active = 1} is never
 *     used
 * @param weight configured IPVS weight (default 1, 0..65535)
 * @param port real port: probe target and {@code -r IP:PORT}; defaults to the virtual {@code port}
 *     in force at the {@code server} line (Piranha semantics)
 */
public record RealServer(String name, InetAddress address, boolean active, int weight, int port) {
  /** IPVS accepts weights 0..65535. */
  public static final int MAX_WEIGHT = 65535;

  public RealServer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
  }

  /** {@code address:port}, the probe target and the IPVS destination. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }
}
