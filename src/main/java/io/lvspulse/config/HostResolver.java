package io.lvspulse.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Resolves a host name written in lvs.cf to one IPv4 address (once, at parse time). */
@FunctionalInterface
public interface HostResolver {

  /** Returns the address for {@code name}, or throws if it has no IPv4 address. */
  InetAddress resolve(String name) throws UnknownHostException;

  /**
   * The system resolver ({@code InetAddress.getAllByName}), first IPv4 address (as gethostbyname).
   */
  static HostResolver system() {
    return name -> {
      for (InetAddress a : InetAddress.getAllByName(name)) {
        if (a instanceof Inet4Address) {
          return a;
        }
      }
      throw new UnknownHostException(name + " has no IPv4 address");
    };
  }

  /** A resolver that knows no names (numeric addresses still work): for tests and fuzzing. */
  static HostResolver none() {
    return name -> {
      throw new UnknownHostException(name);
    };
  }
}
