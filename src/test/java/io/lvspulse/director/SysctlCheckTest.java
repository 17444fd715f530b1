package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verifyNoInteractions;

import io.lvspulse.ipvs.DryRunBackend;
import io.lvspulse.ipvs.IpvsBackend;
import io.lvspulse.ipvs.IpvsException;
import io.lvspulse.ipvs.VsSysctls;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sysctl policy against the dry-run backend (both sysctls 0, as a fresh kernel). */
class SysctlCheckTest {
  private static final String QUIESCING_PERSISTENT = " quiesce_server = 1\n persistent = 30\n";

  private final DryRunBackend backend = new DryRunBackend();

  @Test
  void with_keep_sysctls_a_quiescing_persistent_fwmark_service_warns_about_both() throws Exception {
    var warnings =
        SysctlCheck.apply(DesiredTablesTest.config(QUIESCING_PERSISTENT), backend, false);

    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("expire_quiescent_template");
    assertThat(warnings.get(1)).contains("expire_nodest_conn");
    assertThat(backend.sysctls()).contains(new VsSysctls(false, false));
  }

  @Test
  void by_default_both_are_set_in_the_kernel_the_backend_drives() throws Exception {
    var warnings = SysctlCheck.apply(DesiredTablesTest.config(QUIESCING_PERSISTENT), backend, true);

    assertThat(warnings).isEmpty();
    assertThat(backend.sysctls()).contains(new VsSysctls(true, true));
    assertThat(backend.commandLog()).anyMatch(l -> l.startsWith("sysctl -w "));
  }

  @Test
  void a_backend_that_cannot_set_them_leaves_the_warnings() throws Exception {
    DryRunBackend failing = spy(backend);
    doThrow(new IpvsException(IpvsException.Kind.UNAVAILABLE, "no")).when(failing).enableSysctls();

    var warnings = SysctlCheck.apply(DesiredTablesTest.config(QUIESCING_PERSISTENT), failing, true);

    assertThat(warnings).hasSize(2);
    assertThat(failing.sysctls()).contains(new VsSysctls(false, false));
  }

  @Test
  void without_a_quiescing_service_the_kernel_is_not_asked_at_all() throws Exception {
    IpvsBackend untouched = mock(IpvsBackend.class);

    assertThat(SysctlCheck.apply(DesiredTablesTest.config(" persistent = 30\n"), untouched, true))
        .isEmpty();

    verifyNoInteractions(untouched);
    assertThat(backend.sysctls()).isEqualTo(Optional.of(new VsSysctls(false, false)));
  }
}
