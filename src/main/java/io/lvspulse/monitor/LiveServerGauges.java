package io.lvspulse.monitor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The monitor's {@link ServerGauges}: written only by the monitor loop, read by any thread (a
 * scrape). Values are volatile fields of one small holder per server, updated in place.
 */
final class LiveServerGauges implements ServerGauges {
  private final Map<String, Holder> byKey = new ConcurrentHashMap<>();

  static final class Holder implements Server {
    private final String virtual;
    private final String server;
    private final String address;
    private final String port;
    private volatile int up;
    private volatile int weight;
    private volatile AdminState admin = AdminState.ENABLED;

    Holder(String virtual, String server, String address, String port) {
      this.virtual = virtual;
      this.server = server;
      this.address = address;
      this.port = port;
    }

    void set(int up, int weight, AdminState admin) {
      this.up = up;
      this.weight = weight;
      this.admin = admin;
    }

    @Override
    public String virtual() {
      return virtual;
    }

    @Override
    public String server() {
      return server;
    }

    @Override
    public String address() {
      return address;
    }

    @Override
    public String port() {
      return port;
    }

    @Override
    public int up() {
      return up;
    }

    @Override
    public int weight() {
      return weight;
    }

    @Override
    public AdminState admin() {
      return admin;
    }
  }

  /** Adds (or replaces) the holder of the server keyed {@code key}; values start at 0. */
  Holder add(String key, String virtual, String server, String address, String port) {
    Holder h = new Holder(virtual, server, address, port);
    byKey.put(key, h);
    return h;
  }

  void remove(String key) {
    byKey.remove(key);
  }

  @Override
  public void forEach(Consumer<? super Server> action) {
    byKey.values().forEach(action);
  }
}
