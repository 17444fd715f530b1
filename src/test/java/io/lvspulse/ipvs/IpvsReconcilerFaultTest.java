package io.lvspulse.ipvs;

import static io.lvspulse.ipvs.IpvsPlannerTest.TFTP;
import static io.lvspulse.ipvs.IpvsPlannerTest.dr;
import static io.lvspulse.ipvs.IpvsPlannerTest.tftp;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.exec.ExecRunner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fault tests through the real exec path: a fake ipvsadm that exits 2, hangs or prints garbage is
 * retried, counted and never fatal, and the table converges once it works again.
 */
class IpvsReconcilerFaultTest {
  @TempDir Path tmp;
  FakeIpvsadm fake;
  SimpleMeterRegistry registry;
  IpvsReconciler reconciler;
  final IpvsTable desired = tftp(dr("10.0.0.2:69", 1), dr("10.0.0.3:69", 1));

  @BeforeEach
  void setUp() {
    fake = new FakeIpvsadm(tmp);
    registry = new SimpleMeterRegistry();
    IpvsadmBackend backend =
        new IpvsadmBackend(
            IpvsadmBackend.Options.explicit(fake.wrapper())
                .withTimeout(Duration.ofSeconds(1))
                .withProcNetIpVs(tmp.resolve("no-proc"), 100),
            new ExecRunner());
    reconciler =
        new IpvsReconciler(
            backend,
            registry,
            new IpvsReconciler.RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10)),
            IpvsReconciler.Sleeper.real());
  }

  double count(String result) {
    return registry.get(MeteredIpvsBackend.COMMANDS).tag("result", result).counter().count();
  }

  @ParameterizedTest(name = "ipvsadm that is {0}")
  @CsvSource({"noipvs, failed", "hang, timeout", "garbage, failed"})
  void a_broken_ipvsadm_is_retried_counted_and_not_fatal_and_the_table_converges_once_it_works(
      String mode, String result) {
    fake.mode(mode);

    IpvsReconciler.Result broken = reconciler.reconcile(desired, Set.of(TFTP));

    assertThat(broken.converged()).isFalse();
    assertThat(broken.attempts()).isEqualTo(2);
    assertThat(count(result)).isGreaterThanOrEqualTo(2);

    fake.mode("ok");
    IpvsReconciler.Result fixed = reconciler.reconcile();

    assertThat(fixed.converged()).isTrue();
    assertThat(fake.table())
        .isEqualTo(
            // the kernel's list order: each -a goes to the head
            "-A -f 1 -s wlc -p 45\n-a -f 1 -r 10.0.0.3:69 -g -w 1\n-a -f 1 -r 10.0.0.2:69 -g -w 1\n");
    assertThat(count("ok")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void a_line_that_fails_inside_R_with_exit_0_is_detected_and_the_next_attempt_repairs_it() {
    fake.table("-A -f 1 -s wlc -p 45\n");
    fake.mode("race"); // the service vanishes between our read and our -R: the -a lines fail

    IpvsReconciler.Result r = reconciler.reconcile(desired, Set.of(TFTP));

    assertThat(r.converged()).isTrue();
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.lastError())
        .hasValueSatisfying(e -> assertThat(e).contains("exit 0 but stderr: Service not defined"));
    assertThat(r.sent())
        .extracting(IpvsCommand::line)
        .containsExactly(
            "-a -f 1 -r 10.0.0.2:69 -g -w 1",
            "-a -f 1 -r 10.0.0.3:69 -g -w 1",
            "-A -f 1 -s wlc -p 45",
            "-a -f 1 -r 10.0.0.2:69 -g -w 1",
            "-a -f 1 -r 10.0.0.3:69 -g -w 1");
    assertThat(fake.table())
        .isEqualTo(
            // the kernel's list order: each -a goes to the head
            "-A -f 1 -s wlc -p 45\n-a -f 1 -r 10.0.0.3:69 -g -w 1\n-a -f 1 -r 10.0.0.2:69 -g -w 1\n");
    assertThat(count("failed")).isEqualTo(1);
  }
}
