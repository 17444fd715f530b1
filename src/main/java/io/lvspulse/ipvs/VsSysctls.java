package io.lvspulse.ipvs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The two IPVS sysctls that decide whether clients leave a quiesced or removed real server: {@code
 * net.ipv4.vs.expire_quiescent_template} (persistence templates of a weight-0 server expire, so
 * persistent clients move at once instead of after the persistence timeout) and {@code
 * net.ipv4.vs.expire_nodest_conn} (entries of a deleted server expire at once instead of swallowing
 * packets, which matters for UDP such as TFTP). Both are 0 by default.
 *
 * @param expireQuiescentTemplate the value of {@code expire_quiescent_template} is not 0
 * @param expireNodestConn the value of {@code expire_nodest_conn} is not 0
 */
public record VsSysctls(boolean expireQuiescentTemplate, boolean expireNodestConn) {
  /** Their names, for {@code sysctl -n}. */
  public static final List<String> NAMES =
      List.of("net.ipv4.vs.expire_quiescent_template", "net.ipv4.vs.expire_nodest_conn");

  /** The arguments of {@code sysctl -w} that set both to 1. */
  public static final List<String> ENABLE_ARGS =
      List.of("net.ipv4.vs.expire_quiescent_template=1", "net.ipv4.vs.expire_nodest_conn=1");

  /** Parses {@code sysctl -n NAMES} output: two numbers, one a line. */
  public static Optional<VsSysctls> parse(String sysctlN) {
    List<String> v = sysctlN.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (v.size() != 2 || !v.stream().allMatch(x -> x.matches("-?[0-9]+"))) {
      return Optional.empty();
    }
    return Optional.of(new VsSysctls(!v.get(0).equals("0"), !v.get(1).equals("0")));
  }

  /** Where the kernel shows them. */
  public static final Path PROC_SYS_NET_IPV4_VS = Path.of("/proc/sys/net/ipv4/vs");

  /** Reads both from {@code dir}; empty when IPVS is not loaded there. */
  public static Optional<VsSysctls> read(Path dir) {
    try {
      return Optional.of(
          new VsSysctls(
              !Files.readString(dir.resolve("expire_quiescent_template")).trim().equals("0"),
              !Files.readString(dir.resolve("expire_nodest_conn")).trim().equals("0")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Sets both to 1 in {@code dir} (needs root; the option that turns them on). */
  public static void enableBoth(Path dir) throws IOException {
    Files.writeString(dir.resolve("expire_quiescent_template"), "1\n");
    Files.writeString(dir.resolve("expire_nodest_conn"), "1\n");
  }

  /**
   * One warning per service that keeps clients on a dead server under these settings: a persistent
   * service in {@code quiescing} while {@code expire_quiescent_template} is 0, a UDP or fwmark
   * service in {@code quiescing} while {@code expire_nodest_conn} is 0.
   *
   * @param desired the services lvs-pulse manages
   * @param quiescing the services whose failed servers are quiesced (lvs.cf {@code quiesce_server =
   *     1})
   */
  public List<String> warnings(IpvsTable desired, Set<ServiceKey> quiescing) {
    List<String> w = new ArrayList<>();
    for (IpvsTable.Entry e : desired.entries()) {
      ServiceKey k = e.service().key();
      if (!quiescing.contains(k)) {
        continue;
      }
      if (e.service().persistence().isPresent() && !expireQuiescentTemplate) {
        w.add(
            "service "
                + k
                + " is persistent and quiesces failed servers, but net.ipv4.vs.expire_quiescent_template"
                + " is 0: clients with a persistence template stay on a dead server until the template expires");
      }
      boolean udpLike =
          k instanceof ServiceKey.Fwmark
              || (k instanceof ServiceKey.Address a && a.protocol() == ServiceKey.Protocol.UDP);
      if (udpLike && !expireNodestConn) {
        w.add(
            "service "
                + k
                + " may carry UDP and quiesces failed servers, but net.ipv4.vs.expire_nodest_conn is 0:"
                + " entries of a removed server keep swallowing packets until they time out");
      }
    }
    return w;
  }
}
