package io.lvspulse.ipvs;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One change to the IPVS table, rendered exactly as Piranha's ipvsadm arguments
 * (docs/reference/piranha-behaviour.md §2.6), e.g. {@code -A -f 1 -s wlc -p 45}, {@code -a -f 1 -r
 * 10.0.0.2:69 -g -w 1}, {@code -d -f 1 -r 10.0.0.2:69}. There is deliberately no "clear" command:
 * lvs-pulse never runs {@code ipvsadm -C}.
 */
public sealed interface IpvsCommand {

  /** The service this command changes. */
  ServiceKey key();

  /** The ipvsadm arguments (without the program), also one line of an {@code ipvsadm -R} batch. */
  List<String> args();

  /** The arguments joined by spaces: one {@code ipvsadm -R} line. */
  default String line() {
    return String.join(" ", args());
  }

  /** {@code -A KEY -s SCHED [-p N [-M MASK]] [-b FLAGS]}. */
  record AddService(IpvsService service) implements IpvsCommand {
    @Override
    public ServiceKey key() {
      return service.key();
    }

    @Override
    public List<String> args() {
      return serviceArgs("-A", service);
    }
  }

  /** {@code -E KEY -s SCHED [-p N [-M MASK]] [-b FLAGS]}: scheduler or persistence changed. */
  record EditService(IpvsService service) implements IpvsCommand {
    @Override
    public ServiceKey key() {
      return service.key();
    }

    @Override
    public List<String> args() {
      return serviceArgs("-E", service);
    }
  }

  /** {@code -D KEY}: the kernel removes the service's destinations with it. */
  record DeleteService(ServiceKey key) implements IpvsCommand {
    @Override
    public List<String> args() {
      List<String> a = new ArrayList<>(List.of("-D"));
      a.addAll(key.args());
      return List.copyOf(a);
    }
  }

  /** {@code -a KEY -r RIP:RPORT -g|-i|-m -w W}. */
  record AddDestination(ServiceKey key, IpvsDestination destination) implements IpvsCommand {
    @Override
    public List<String> args() {
      return destinationArgs("-a", key, destination);
    }
  }

  /** {@code -e KEY -r RIP:RPORT -g|-i|-m -w W}: weight (or forwarding method) changed. */
  record EditDestination(ServiceKey key, IpvsDestination destination) implements IpvsCommand {
    @Override
    public List<String> args() {
      return destinationArgs("-e", key, destination);
    }
  }

  /** {@code -d KEY -r RIP:RPORT}. */
  record DeleteDestination(ServiceKey key, InetSocketAddress address) implements IpvsCommand {
    public DeleteDestination {
      IpAddresses.requireLiteral(address);
    }

    @Override
    public List<String> args() {
      List<String> a = new ArrayList<>(List.of("-d"));
      a.addAll(key.args());
      a.add("-r");
      a.add(IpAddresses.format(address));
      return List.copyOf(a);
    }
  }

  private static List<String> serviceArgs(String op, IpvsService s) {
    List<String> a = new ArrayList<>(List.of(op));
    a.addAll(s.key().args());
    a.addAll(s.optionArgs());
    return List.copyOf(a);
  }

  private static List<String> destinationArgs(String op, ServiceKey key, IpvsDestination d) {
    List<String> a = new ArrayList<>(List.of(op));
    a.addAll(key.args());
    a.add("-r");
    a.add(IpAddresses.format(d.address()));
    a.add(d.method().flag());
    a.add("-w");
    a.add(Integer.toString(d.weight()));
    return List.copyOf(a);
  }
}
