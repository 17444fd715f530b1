package io.lvspulse.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated rules load into real netfilter: each run happens inside a fresh network namespace
 * ({@code unshare -n}), so the host's firewall is never touched. Needs root, unshare, nft and
 * iptables-restore.
 */
class FirewallRulesIT {
  @TempDir Path tmp;

  static Path jar;

  @BeforeAll
  static void peers() {
    jar = Peers.jar();
    Peers.require(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare (util-linux)");
    Peers.require(Files.isExecutable(Path.of("/usr/sbin/nft")), "nft (nftables)");
    Peers.require(Files.isExecutable(Path.of("/usr/sbin/iptables-restore")), "iptables-restore");
    Peers.require(
        "root".equals(System.getProperty("user.name")), "root, to create a network namespace");
  }

  record Out(int exit, String out) {}

  static Out run(Path dir, String... cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "out", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("timed out: " + List.of(cmd));
    }
    return new Out(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  Path rules(String... extra) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "firewall-rules",
                "etc/lvs.cf"));
    cmd.addAll(List.of(extra));
    Path f = Files.createTempFile(tmp, "rules", ".txt");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(f.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return f;
  }

  @Test
  void the_nft_script_loads_twice_in_a_fresh_namespace_and_leaves_one_rule() throws Exception {
    Path f = rules("--format", "nft");
    Out o =
        run(
            tmp,
            "unshare",
            "-n",
            "sh",
            "-c",
            "nft -f \"$1\" && nft -f \"$1\" && nft list ruleset",
            "sh",
            f.toString());
    assertThat(o.exit()).as(o.out()).isZero();
    assertThat(o.out())
        .containsOnlyOnce(
            "ip daddr 203.0.113.10 udp dport { 69, 1024-65535 } meta mark set 0x00000001");
  }

  @Test
  void the_iptables_rules_load_with_noflush_and_a_chain_reload_replaces_it() throws Exception {
    Path plain = rules();
    Out o =
        run(
            tmp,
            "unshare",
            "-n",
            "sh",
            "-c",
            "iptables-restore --noflush < \"$1\" && iptables -t mangle -S",
            "sh",
            plain.toString());
    assertThat(o.exit()).as(o.out()).isZero();
    assertThat(o.out())
        .contains(
            "-A PREROUTING -d 203.0.113.10/32 -i eth0 -p udp -m udp --dport 69 -m comment --comment \"lvs-pulse tftp\" -j MARK --set-xmark 0x1/0xffffffff");
    Path chain = rules("--chain", "LVS_PULSE");
    Out twice =
        run(
            tmp,
            "unshare",
            "-n",
            "sh",
            "-c",
            "iptables-restore --noflush < \"$1\" && iptables-restore --noflush < \"$1\" && iptables -t mangle -S LVS_PULSE",
            "sh",
            chain.toString());
    assertThat(twice.exit()).as(twice.out()).isZero();
    assertThat(twice.out().lines().filter(l -> l.startsWith("-A LVS_PULSE")).count()).isEqualTo(2);
  }
}
