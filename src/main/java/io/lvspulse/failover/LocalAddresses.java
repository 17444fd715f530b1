package io.lvspulse.failover;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The addresses configured on this host's interfaces, each with its interface name. Injectable for
 * tests.
 */
@FunctionalInterface
public interface LocalAddresses {

  /** Address → interface name (e.g. {@code 10.0.0.1 → eth0}). */
  Map<InetAddress, String> addresses() throws SocketException;

  /** The real interfaces of this host ({@link NetworkInterface}). */
  static LocalAddresses system() {
    return () -> {
      Map<InetAddress, String> out = new LinkedHashMap<>();
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        // getInetAddresses() includes the addresses of alias interfaces (eth0:1) too.
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          out.putIfAbsent(a, nif.getName());
        }
      }
      return out;
    };
  }

  /** A fixed table (tests). */
  static LocalAddresses of(Map<InetAddress, String> table) {
    Map<InetAddress, String> copy = Map.copyOf(table);
    return () -> copy;
  }
}
