package io.lvspulse.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Parsers for tests: a fixed service table and a resolver that knows a few fake names, no DNS. */
final class TestParsers {
  private TestParsers() {}

  static final ServiceNames SERVICES =
      ServiceNames.fromLines(
          List.of(
              "http 80/tcp www # WorldWideWeb HTTP",
              "smtp 25/tcp mail",
              "domain 53/tcp",
              "domain 53/udp",
              "tftp 69/udp",
              "pulse 539/udp"));

  /** Knows director1 → 192.0.2.1, ftp1.example → 10.0.0.2; everything else is unknown. */
  static final HostResolver RESOLVER =
      name ->
          switch (name) {
            case "director1" -> InetAddress.getByName("192.0.2.1");
            case "ftp1.example" -> InetAddress.getByName("10.0.0.2");
            default -> throw new UnknownHostException(name);
          };

  static LvsConfigParser parser() {
    return new LvsConfigParser(RESOLVER, SERVICES);
  }
}
