package io.lvspulse.testing;

import java.util.List;
import java.util.StringJoiner;

/**
 * The example TFTP cluster's lvs.cf (etc/lvs.cf: fwmark service, check_tftp send_program,
 * quiesce_server) with test-sized timings and real servers on loopback addresses.
 *
 * @param serialNo {@code serial_no}
 * @param fwmark the virtual's firewall mark
 * @param vip the virtual address
 * @param persistentSeconds {@code persistent} (also how long a removed server drains)
 * @param timeoutSeconds {@code timeout} (probe interval and probe timeout)
 * @param reentrySeconds {@code reentry} (reentry count = reentry / timeout)
 * @param servers real servers as {@code name=address}
 * @param sendProgram the {@code send_program}
 */
public record TftpClusterConfig(
    int serialNo,
    int fwmark,
    String vip,
    int persistentSeconds,
    int timeoutSeconds,
    int reentrySeconds,
    List<String> servers,
    String sendProgram) {

  public static final String CHECK_TFTP = "/usr/local/bin/check_tftp --connect %h";

  /** fwmark 1, VIP 203.0.113.10, persistent 45, timeout 2, reentry 4 (reentry count 2). */
  public static TftpClusterConfig example(List<String> servers) {
    return new TftpClusterConfig(1, 1, "203.0.113.10", 45, 2, 4, servers, CHECK_TFTP);
  }

  public TftpClusterConfig withSerial(int n) {
    return new TftpClusterConfig(
        n, fwmark, vip, persistentSeconds, timeoutSeconds, reentrySeconds, servers, sendProgram);
  }

  public TftpClusterConfig withServers(List<String> s) {
    return new TftpClusterConfig(
        serialNo, fwmark, vip, persistentSeconds, timeoutSeconds, reentrySeconds, s, sendProgram);
  }

  public TftpClusterConfig withPersistent(int p) {
    return new TftpClusterConfig(
        serialNo, fwmark, vip, p, timeoutSeconds, reentrySeconds, servers, sendProgram);
  }

  public TftpClusterConfig withService(int mark, String address) {
    return new TftpClusterConfig(
        serialNo,
        mark,
        address,
        persistentSeconds,
        timeoutSeconds,
        reentrySeconds,
        servers,
        sendProgram);
  }

  /** The lvs.cf text. */
  public String text() {
    StringJoiner j = new StringJoiner("\n", "", "\n");
    j.add("serial_no = " + serialNo);
    j.add("primary = 192.0.2.1");
    j.add("service = lvs");
    j.add("network = direct");
    j.add("virtual tftp {");
    j.add("     active = 1");
    j.add("     address = " + vip + " eth0:1");
    j.add("     vip_nmask = 255.255.255.0");
    j.add("     fwmark = " + fwmark);
    j.add("     port = 69");
    j.add("     persistent = " + persistentSeconds);
    j.add("     expect = \"OK - answer from server\"");
    j.add("     use_regex = 0");
    j.add("     send_program = \"" + sendProgram + "\"");
    j.add("     load_monitor = none");
    j.add("     scheduler = wlc");
    j.add("     protocol = udp");
    j.add("     timeout = " + timeoutSeconds);
    j.add("     reentry = " + reentrySeconds);
    j.add("     quiesce_server = 1");
    for (String s : servers) {
      String[] nv = s.split("=", 2);
      j.add("     server " + nv[0] + " {");
      j.add("         address = " + nv[1]);
      j.add("         active = 1");
      j.add("         weight = 1");
      j.add("     }");
    }
    j.add("}");
    return j.toString();
  }
}
