package io.lvspulse.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Service-name ports ({@code port = http}) from an {@code /etc/services}-format table. */
public final class ServiceNames {
  private final Map<String, Map<String, Integer>> byName;

  private ServiceNames(Map<String, Map<String, Integer>> byName) {
    this.byName = byName;
  }

  /** Reads {@code /etc/services}; an unreadable file gives an empty table. */
  public static ServiceNames system() {
    return fromFile(Path.of("/etc/services"));
  }

  /** Reads a services file; an unreadable file gives an empty table. */
  public static ServiceNames fromFile(Path file) {
    try {
      return fromLines(Files.readAllLines(file, StandardCharsets.ISO_8859_1));
    } catch (IOException | RuntimeException e) {
      return new ServiceNames(Map.of());
    }
  }

  /** Parses {@code name port/proto [aliases...] [# comment]} lines. */
  public static ServiceNames fromLines(List<String> lines) {
    Map<String, Map<String, Integer>> m = new HashMap<>();
    for (String raw : lines) {
      int hash = raw.indexOf('#');
      String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("[ \t]+");
      if (f.length < 2) {
        continue;
      }
      int slash = f[1].indexOf('/');
      if (slash <= 0) {
        continue;
      }
      int port;
      try {
        port = Integer.parseInt(f[1].substring(0, slash));
      } catch (NumberFormatException e) {
        continue;
      }
      String proto = f[1].substring(slash + 1);
      for (int i = 0; i < f.length; i++) {
        if (i == 1) {
          continue;
        }
        m.computeIfAbsent(f[i], k -> new HashMap<>()).putIfAbsent(proto, port);
      }
    }
    return new ServiceNames(m);
  }

  /** The port of {@code name} for {@code proto} ("tcp" or "udp"). */
  public Optional<Integer> port(String name, String proto) {
    Map<String, Integer> p = byName.get(name);
    return p == null ? Optional.empty() : Optional.ofNullable(p.get(proto));
  }

  /** The protocols {@code name} is defined for. */
  public Map<String, Integer> protocols(String name) {
    return Map.copyOf(byName.getOrDefault(name, Map.of()));
  }
}
