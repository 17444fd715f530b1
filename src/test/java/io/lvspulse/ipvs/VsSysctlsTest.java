package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsPlannerTest.TFTP;
import static io.lvspulse.ipvs.IpvsPlannerTest.WEB;
import static io.lvspulse.ipvs.IpvsPlannerTest.dr;
import static io.lvspulse.ipvs.IpvsPlannerTest.tftp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VsSysctlsTest {
  @Test
  void a_persistent_fwmark_service_that_quiesces_warns_about_both_sysctls_at_their_defaults() {
    var w = new VsSysctls(false, false).warnings(tftp(dr("10.0.0.2:69", 1)), Set.of(TFTP));

    assertThat(w).hasSize(2);
    assertThat(w.get(0)).contains("expire_quiescent_template");
    assertThat(w.get(1)).contains("expire_nodest_conn");
  }

  @Test
  void no_warning_when_the_sysctls_are_on_or_the_service_does_not_quiesce() {
    IpvsTable t =
        tftp(dr("10.0.0.2:69", 1)).toBuilder().service(IpvsService.of(WEB, "wrr")).build();

    assertThat(new VsSysctls(true, true).warnings(t, Set.of(TFTP, WEB))).isEmpty();
    assertThat(new VsSysctls(false, false).warnings(t, Set.of(WEB))).isEmpty();
  }

  @Test
  void the_values_are_read_and_enabled_through_the_proc_files(@TempDir Path dir) throws Exception {
    assertThat(VsSysctls.read(dir)).isEmpty();
    Files.writeString(dir.resolve("expire_quiescent_template"), "0\n");
    Files.writeString(dir.resolve("expire_nodest_conn"), "0\n");
    assertThat(VsSysctls.read(dir)).contains(new VsSysctls(false, false));

    VsSysctls.enableBoth(dir);

    assertThat(VsSysctls.read(dir)).contains(new VsSysctls(true, true));
  }
}
