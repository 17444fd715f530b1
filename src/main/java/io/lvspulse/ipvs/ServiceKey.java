package io.lvspulse.ipvs;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What identifies an IPVS virtual service: a firewall mark (per address family), or a protocol with
 * a virtual address and port. This is the kernel's key: a real server is always added to one.
 */
public sealed interface ServiceKey permits ServiceKey.Fwmark, ServiceKey.Address {

  /** The key as ipvsadm arguments: {@code -f 1}, {@code -f 1 -6}, {@code -t 203.0.113.20:80}. */
  List<String> args();

  /** True for an IPv6 service. */
  boolean ipv6();

  /** The key as in ipvsadm lines, e.g. {@code -f 1}. */
  default String display() {
    return String.join(" ", args());
  }

  /** Firewall-mark service {@code mark} for IPv4 ({@code -f mark}). */
  static Fwmark fwmark(long mark) {
    return new Fwmark(mark, false);
  }

  /** Firewall-mark service {@code mark} for IPv6 ({@code -f mark -6}). */
  static Fwmark fwmark6(long mark) {
    return new Fwmark(mark, true);
  }

  /** TCP service on {@code address} ({@code -t VIP:PORT}). */
  static Address tcp(InetSocketAddress address) {
    return new Address(Protocol.TCP, address);
  }

  /** UDP service on {@code address} ({@code -u VIP:PORT}). */
  static Address udp(InetSocketAddress address) {
    return new Address(Protocol.UDP, address);
  }

  /**
   * A firewall-mark service.
   *
   * @param mark the mark, 1..4294967295
   * @param ipv6 the service balances IPv6 packets ({@code -6})
   */
  record Fwmark(long mark, boolean ipv6) implements ServiceKey {
    public Fwmark {
      if (mark < 1 || mark > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("fwmark out of range 1..4294967295: " + mark);
      }
    }

    @Override
    public List<String> args() {
      return ipv6 ? List.of("-f", Long.toString(mark), "-6") : List.of("-f", Long.toString(mark));
    }

    @Override
    public String toString() {
      return display();
    }
  }

  /**
   * A protocol service on a virtual IP and port.
   *
   * @param protocol TCP, UDP or SCTP
   * @param address the virtual IP (a literal) and port
   */
  record Address(Protocol protocol, InetSocketAddress address) implements ServiceKey {
    public Address {
      IpAddresses.requireLiteral(address);
    }

    @Override
    public List<String> args() {
      return List.of(protocol.flag(), IpAddresses.format(address));
    }

    @Override
    public boolean ipv6() {
      return address.getAddress() instanceof Inet6Address;
    }

    @Override
    public String toString() {
      return display();
    }
  }

  /** The transport protocol of an address service, with its ipvsadm flag. */
  enum Protocol {
    TCP("-t"),
    UDP("-u"),
    SCTP("--sctp-service");

    private final String flag;

    Protocol(String flag) {
      this.flag = flag;
    }

    /** {@code -t}, {@code -u} or {@code --sctp-service}. */
    public String flag() {
      return flag;
    }
  }
}
