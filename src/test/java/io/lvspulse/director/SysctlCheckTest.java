package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysctlCheckTest {
  @TempDir Path dir;

  private void sysctls(String quiescentTemplate, String nodestConn) throws Exception {
    Files.writeString(dir.resolve("expire_quiescent_template"), quiescentTemplate + "\n");
    Files.writeString(dir.resolve("expire_nodest_conn"), nodestConn + "\n");
  }

  @Test
  void a_quiescing_persistent_fwmark_service_warns_about_both_sysctls_at_their_defaults()
      throws Exception {
    sysctls("0", "0");

    var warnings =
        SysctlCheck.check(
            DesiredTablesTest.config(" quiesce_server = 1\n persistent = 30\n"), dir, false);

    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("expire_quiescent_template");
    assertThat(warnings.get(1)).contains("expire_nodest_conn");
    assertThat(Files.readString(dir.resolve("expire_nodest_conn"))).isEqualTo("0\n");
  }

  @Test
  void with_set_sysctls_both_are_turned_on_instead_of_warning() throws Exception {
    sysctls("0", "0");

    var warnings =
        SysctlCheck.check(
            DesiredTablesTest.config(" quiesce_server = 1\n persistent = 30\n"), dir, true);

    assertThat(warnings).isEmpty();
    assertThat(Files.readString(dir.resolve("expire_quiescent_template"))).isEqualTo("1\n");
    assertThat(Files.readString(dir.resolve("expire_nodest_conn"))).isEqualTo("1\n");
  }

  @Test
  void nothing_is_checked_when_no_service_quiesces_or_ipvs_is_not_loaded() throws Exception {
    assertThat(
            SysctlCheck.check(
                DesiredTablesTest.config(" quiesce_server = 1\n persistent = 30\n"), dir, true))
        .as("no sysctl files: IPVS not loaded")
        .isEmpty();
    sysctls("0", "0");

    assertThat(SysctlCheck.check(DesiredTablesTest.config(" persistent = 30\n"), dir, true))
        .isEmpty();
    assertThat(Files.readString(dir.resolve("expire_nodest_conn"))).isEqualTo("0\n");
  }
}
