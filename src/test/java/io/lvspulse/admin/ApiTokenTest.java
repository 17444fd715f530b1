package io.lvspulse.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokenTest {
  @TempDir Path dir;

  private Path file(String text, String mode) throws Exception {
    Path f = dir.resolve("api.token");
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void the_first_line_is_the_token_and_only_it_matches() throws Exception {
    ApiToken t = ApiToken.read(file("  s3cret-token-0123456789  \nignored\n", "rw-------"));
    assertThat(t.matches("s3cret-token-0123456789")).isTrue();
    assertThat(t.matches("s3cret-token-012345678")).isFalse();
    assertThat(t.matches("s3cret-token-01234567890")).isFalse();
    assertThat(t.matches("")).isFalse();
    assertThat(t.toString()).doesNotContain("s3cret");
  }

  @Test
  void a_file_others_can_read_is_refused() throws Exception {
    assertThatThrownBy(() -> ApiToken.read(file("s3cret-token-0123456789\n", "rw-r--r--")))
        .isInstanceOf(ApiToken.Refused.class)
        .hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> ApiToken.read(file("s3cret-token-0123456789\n", "rw-r-----")))
        .isInstanceOf(ApiToken.Refused.class);
  }

  @Test
  void a_short_or_empty_token_is_refused_and_a_missing_file_says_so() throws Exception {
    assertThatThrownBy(() -> ApiToken.read(file("short\n", "rw-------")))
        .isInstanceOf(ApiToken.Refused.class)
        .hasMessageContaining("at least 16");
    ApiToken.Refused empty =
        org.junit.jupiter.api.Assertions.assertThrows(
            ApiToken.Refused.class, () -> ApiToken.read(file("", "r--------")));
    assertThat(empty.missing()).as("an empty credential: the API is simply off").isTrue();
    ApiToken.Refused off =
        org.junit.jupiter.api.Assertions.assertThrows(
            ApiToken.Refused.class, () -> ApiToken.read(file("none\n", "r--------")));
    assertThat(off.missing()).as("the unit's default credential: the API is simply off").isTrue();
    ApiToken.Refused none =
        org.junit.jupiter.api.Assertions.assertThrows(
            ApiToken.Refused.class, () -> ApiToken.read(dir.resolve("nope")));
    assertThat(none.missing()).isTrue();
  }
}
