package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.Examples;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** etc/lvs.cf is the TFTP cluster of the write-up, for a pair of directors. */
class EtcLvsCfTest {
  @Test
  void its_virtual_is_exactly_the_write_ups_tftp_block() throws Exception {
    Path oneLine = Examples.file("valid/tftp-one-line.lvs.cf");
    LvsConfig etc = TestParsers.parser().parse(Path.of("etc/lvs.cf")).config();
    LvsConfig example = TestParsers.parser().parse(oneLine).config();
    assertThat(etc.virtuals()).isEqualTo(example.virtuals());
  }

  @Test
  void it_describes_a_pair_of_directors_in_direct_routing() throws Exception {
    GlobalSettings g = TestParsers.parser().parse(Path.of("etc/lvs.cf")).config().global();
    assertThat(g.primary()).contains(InetAddress.getByName("192.0.2.1"));
    assertThat(g.backup()).contains(InetAddress.getByName("192.0.2.2"));
    assertThat(g.hasBackup()).isTrue();
    assertThat(g.network()).isEqualTo(Network.DIRECT);
    assertThat(g.heartbeatPort()).isEqualTo(539);
  }

  @Test
  void it_uses_only_full_line_comments_so_piranha_can_read_it_too() throws Exception {
    for (String line : Files.readAllLines(Path.of("etc/lvs.cf"))) {
      String t = line.strip();
      if (!t.startsWith("#")) {
        assertThat(t).doesNotContain("#");
      }
    }
  }
}
