package io.lvspulse.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Regression: started under {@code nohup}, the daemon never reloaded on SIGHUP and said nothing
 * (the JVM installs no handler for an inherited ignored signal, and returns {@code SIG_IGN}).
 */
class IgnoredSignalTest {

  @Test
  void an_inherited_ignored_sighup_is_reported_with_its_cause_and_remedy() {
    assertThat(Daemon.ignoredSignal("HUP", sun.misc.SignalHandler.SIG_IGN))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .startsWith("SIGHUP is ignored by this process")
                    .contains("nohup")
                    .contains("a reload needs a restart"));
    assertThat(Daemon.ignoredSignal("USR1", sun.misc.SignalHandler.SIG_IGN))
        .hasValueSatisfying(m -> assertThat(m).contains("a forced reload needs a restart"));
  }

  @Test
  void a_signal_at_its_default_or_with_a_handler_is_not_reported() {
    assertThat(Daemon.ignoredSignal("HUP", sun.misc.SignalHandler.SIG_DFL)).isEmpty();
    assertThat(Daemon.ignoredSignal("HUP", sig -> {})).isEmpty();
  }
}
