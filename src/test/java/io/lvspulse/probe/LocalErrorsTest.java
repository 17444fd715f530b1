package io.lvspulse.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class LocalErrorsTest {
  @Test
  void resource_exhaustion_of_this_host_is_local() {
    assertThat(LocalErrors.isLocal(new SocketException("Too many open files"))).isTrue();
    assertThat(LocalErrors.isLocal(new IOException("Too many open files in system"))).isTrue();
    assertThat(LocalErrors.isLocal(new IOException("No buffer space available (sendto failed)")))
        .isTrue();
    assertThat(LocalErrors.isLocal(new IOException("x", new OutOfMemoryError("Java heap space"))))
        .isTrue();
    assertThat(LocalErrors.isLocal(new RejectedExecutionException("pool closed"))).isTrue();
    assertThat(
            LocalErrors.isLocalMessage(
                "Cannot run program \"/bin/true\": error=24, Too many open files"))
        .isTrue();
    assertThat(
            LocalErrors.isLocalMessage(
                "Cannot run program \"/bin/true\": error=11, Resource temporarily unavailable"))
        .isTrue();
  }

  @Test
  void what_the_network_or_the_server_did_is_not_local() {
    assertThat(LocalErrors.isLocal(new java.net.ConnectException("Connection refused"))).isFalse();
    assertThat(LocalErrors.isLocal(new java.net.NoRouteToHostException("No route to host")))
        .isFalse();
    assertThat(LocalErrors.isLocal(new IOException("Connection reset by peer"))).isFalse();
    assertThat(LocalErrors.isLocalMessage("Cannot run program \"/nope\": error=2, No such file"))
        .isFalse();
    assertThat(LocalErrors.isLocalMessage(null)).isFalse();
  }

  @Test
  void a_failure_built_from_a_local_exception_is_a_local_error_outcome() {
    ProbeResult r =
        ProbeResult.failure(
            FailureCause.IO_ERROR,
            new SocketException("Too many open files"),
            "Cannot open UDP socket: Too many open files",
            Duration.ZERO);
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.cause()).contains(FailureCause.LOCAL_ERROR);
    ProbeResult remote =
        ProbeResult.failure(
            FailureCause.IO_ERROR,
            new java.net.NoRouteToHostException("No route to host"),
            "no route",
            Duration.ZERO);
    assertThat(remote.outcome()).isEqualTo(ProbeResult.Outcome.FAILURE);
    assertThat(ProbeResult.ok("OK", Duration.ZERO).outcome())
        .isEqualTo(ProbeResult.Outcome.SUCCESS);
  }
}
