package io.lvspulse.config;

import java.util.Optional;

/** An enum value spelled as one lvs.cf word; looked up case-sensitively, as Piranha does. */
interface Keyword {
  /** The lvs.cf spelling. */
  String keyword();

  /** The value of {@code values} spelled {@code s}, if any. */
  static <E extends Keyword> Optional<E> lookup(E[] values, String s) {
    for (E v : values) {
      if (v.keyword().equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
