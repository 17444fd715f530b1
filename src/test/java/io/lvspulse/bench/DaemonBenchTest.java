package io.lvspulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DaemonBenchTest {
  @Test
  void the_benchmark_runs_the_daemon_with_the_systemd_units_jvm_flags() throws Exception {
    String unit = Files.readString(Path.of("systemd", "lvs-pulse.service"));
    Matcher m = Pattern.compile("(?m)^Environment=\"JAVA_OPTS=([^\"]*)\"$").matcher(unit);
    assertThat(m.find()).as("JAVA_OPTS in systemd/lvs-pulse.service").isTrue();
    assertThat(DaemonBench.SYSTEMD_JAVA_OPTS).isEqualTo(List.of(m.group(1).strip().split(" +")));
  }

  @Test
  void the_defaults_file_carries_the_same_jvm_flags_as_the_systemd_unit() throws Exception {
    String defaults = Files.readString(Path.of("etc", "default", "lvs-pulse"));
    Matcher m = Pattern.compile("(?m)^JAVA_OPTS=(.*)$").matcher(defaults);
    assertThat(m.find()).as("JAVA_OPTS in etc/default/lvs-pulse").isTrue();
    assertThat(List.of(m.group(1).strip().split(" +"))).isEqualTo(DaemonBench.SYSTEMD_JAVA_OPTS);
  }

  @Test
  void metric_samples_are_summed_by_name_and_label() {
    String text =
        "# HELP x\njvm_memory_used_bytes{area=\"heap\",id=\"a\"} 1.5\njvm_memory_used_bytes{area=\"heap\",id=\"b\"} 2.5\n"
            + "jvm_memory_used_bytes{area=\"nonheap\",id=\"c\"} 7.0\njvm_memory_used_bytes_other 9\n";
    assertThat(DaemonBench.sumMetric(text, "jvm_memory_used_bytes", "area=\"heap\""))
        .isEqualTo(4.0);
    assertThat(DaemonBench.sumMetric(text, "jvm_memory_used_bytes", "")).isEqualTo(11.0);
  }

  @Test
  void vm_rss_is_read_from_proc_status() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(Path.of("/proc/self/status")), "Linux /proc");
    assertThat(DaemonBench.vmKb(ProcessHandle.current().pid(), "VmRSS")).isPositive();
  }
}
