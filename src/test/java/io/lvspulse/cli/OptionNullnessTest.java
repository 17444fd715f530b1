package io.lvspulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * NullAway does not ask constructors to set picocli's injected fields (pom.xml:
 * ExcludedFieldAnnotations), so it trusts them to be non-null. That holds only for an option or
 * parameter that picocli always sets: one with a default value, a required one, a primitive, an
 * {@link Optional} or a field with an initial value. Every other one stays null when it is not
 * given on the command line and must be declared {@code @Nullable}, so that NullAway checks its
 * uses.
 */
class OptionNullnessTest {

  @Test
  void an_option_that_can_stay_null_is_declared_nullable() {
    List<String> unsafe = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    collect(Main.commandLine(), unsafe, seen);
    assertThat(seen).as("fields checked").hasSizeGreaterThan(40);
    assertThat(unsafe).isEmpty();
  }

  @Test
  void the_check_sees_a_missing_nullable() {
    List<String> unsafe = new ArrayList<>();
    collect(new CommandLine(new Unsafe()), unsafe, new ArrayList<>());
    assertThat(unsafe).containsExactly("Unsafe.noDefault");
  }

  private static void collect(CommandLine cl, List<String> unsafe, List<String> seen) {
    List<ArgSpec> args = new ArrayList<>(cl.getCommandSpec().options());
    args.addAll(cl.getCommandSpec().positionalParameters());
    for (ArgSpec a : args) {
      if (!(a.userObject() instanceof Field f)
          || !f.getDeclaringClass().getName().startsWith("io.lvspulse.")) {
        continue; // picocli's own help command
      }
      String name = f.getDeclaringClass().getSimpleName() + "." + f.getName();
      seen.add(name);
      boolean alwaysSet =
          f.getType().isPrimitive()
              || f.getType() == Optional.class
              || a.defaultValue() != null
              || a.required()
              || a.initialValue() != null;
      if (!alwaysSet && !f.getAnnotatedType().isAnnotationPresent(Nullable.class)) {
        unsafe.add(name);
      }
    }
    cl.getSubcommands().values().forEach(sub -> collect(sub, unsafe, seen));
  }

  @CommandLine.Command(name = "unsafe")
  static final class Unsafe {
    @CommandLine.Option(names = "--no-default")
    String noDefault;

    @CommandLine.Option(names = "--nullable")
    @Nullable String nullable;

    @CommandLine.Option(names = "--with-default", defaultValue = "x")
    String withDefault;

    @CommandLine.Option(names = "--required", required = true)
    String required;

    @CommandLine.Option(names = "--flag")
    boolean flag;

    @CommandLine.Option(names = "--optional")
    Optional<String> optional;

    @CommandLine.Option(names = "--initialized")
    String initialized = "y";
  }
}
