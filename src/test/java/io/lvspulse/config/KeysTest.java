package io.lvspulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.Keys.InVirtual;
import io.lvspulse.config.Keys.Key;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The key table: every key documented, and every key exercised by the round-trip generator. */
class KeysTest {
  @Test
  void every_key_has_a_doc_a_value_description_and_a_default() {
    assertThat(Keys.all()).hasSize(70);
    for (Keys.Spec s : Keys.all()) {
      assertThat(s.doc()).as(s.name()).isNotBlank().endsWith(".");
      assertThat(s.expected()).as(s.name()).isNotBlank();
      assertThat(s.defaultValue()).as(s.name()).isNotBlank();
      assertThat(s.doc() + s.expected() + s.defaultValue())
          .as("%s: printable ASCII, as the man page needs", s.name())
          .matches("[\\x20-\\x7e]+");
    }
  }

  @Test
  void a_default_is_what_the_builders_start_with() {
    assertThat(Keys.find(Keys.Section.VIRTUAL, "timeout").orElseThrow().defaultValue())
        .isEqualTo(Long.toString(VirtualService.DEFAULT_TIMEOUT.toSeconds()));
    assertThat(Keys.find(Keys.Section.GLOBAL, "heartbeat_port").orElseThrow().defaultValue())
        .isEqualTo(Integer.toString(GlobalSettings.DEFAULT_HEARTBEAT_PORT));
    assertThat(Keys.find(Keys.Section.GLOBAL, "network").orElseThrow().defaultValue())
        .isEqualTo("nat");
    assertThat(Keys.find(Keys.Section.VIRTUAL, "send").orElseThrow().defaultValue())
        .isEqualTo(Keys.UNSET);
  }

  /**
   * A key the generator never varies is never round-tripped: a new key needs a line in {@link
   * ModelGenerator} too, and this test names it.
   */
  @Test
  void the_round_trip_generator_gives_every_key_at_least_two_values() {
    Map<String, Set<Optional<String>>> seen = new LinkedHashMap<>();
    for (Keys.Spec s : Keys.all()) {
      seen.put(s.section() + " " + s.name(), new HashSet<>());
    }
    for (long seed = 0; seed < 200; seed++) {
      LvsConfig c = new ModelGenerator(seed).config();
      for (Key<?, GlobalSettings, ?> k : Keys.globalKeys()) {
        seen.get("GLOBAL " + k.spec().name()).add(k.write().apply(c.global()));
      }
      for (VirtualService v : c.virtuals()) {
        for (Key<?, VirtualService, ?> k : Keys.virtualKeys()) {
          seen.get("VIRTUAL " + k.spec().name()).add(k.write().apply(v));
        }
        for (RealServer s : v.servers()) {
          for (Key<?, InVirtual, ?> k : Keys.serverKeys()) {
            seen.get("SERVER " + k.spec().name()).add(k.write().apply(new InVirtual(v, s)));
          }
        }
      }
    }
    seen.values().removeIf(values -> values.size() >= 2);
    assertThat(seen.keySet()).as("keys ModelGenerator never varies").isEmpty();
  }
}
