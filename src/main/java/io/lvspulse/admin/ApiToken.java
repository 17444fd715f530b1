package io.lvspulse.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * The HTTP API's bearer token, read from a file only root (or, under systemd, the service through
 * {@code LoadCredential=}) can read: {@code /etc/lvs-pulse/api.token}, mode 0600. The token is the
 * file's first line without surrounding blanks, at least {@value #MIN_LENGTH} characters; a file
 * that is empty or says {@code none} turns the API off. A file that others can read is refused (as
 * ssh refuses a private key others can read).
 *
 * <p>{@link #matches} compares in constant time: both sides are hashed (SHA-256) and the digests
 * compared with {@link MessageDigest#isEqual}, so neither the token's content nor its length shows
 * in the time a wrong guess takes.
 */
public final class ApiToken {
  /** The shortest token accepted. */
  public static final int MIN_LENGTH = 16;

  /**
   * A token file that says only this turns the API off (the unit's default credential when {@code
   * /etc/lvs-pulse/api.token} does not exist).
   */
  public static final String OFF = "none";

  /** The default file (outside systemd). */
  public static final Path DEFAULT_FILE = Path.of("/etc/lvs-pulse/api.token");

  private final byte[] digest;

  private ApiToken(String token) {
    this.digest = sha256(token);
  }

  /** A token from its text (tests). */
  public static ApiToken of(String token) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("token shorter than " + MIN_LENGTH + " characters");
    }
    return new ApiToken(token);
  }

  /** Why a token file is not used. */
  public static final class Refused extends Exception {
    private final boolean missing;

    Refused(String message, boolean missing) {
      super(message);
      this.missing = missing;
    }

    /** The file does not exist (the API is simply off), as opposed to a bad file. */
    public boolean missing() {
      return missing;
    }
  }

  /** Reads and checks {@code file}. */
  public static ApiToken read(Path file) throws Refused {
    String text;
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.GROUP_READ)
          || p.contains(PosixFilePermission.OTHERS_READ)) {
        throw new Refused(file + " can be read by others than its owner: chmod 600 " + file, false);
      }
      if (Files.size(file) > 4096) {
        throw new Refused(file + " is larger than 4 KiB: not a token file", false);
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new Refused(file + " does not exist", true);
    } catch (IOException e) {
      throw new Refused("cannot read " + file + ": " + e.getMessage(), false);
    }
    String token = text.lines().findFirst().orElse("").strip();
    if (token.equalsIgnoreCase(OFF)) {
      throw new Refused(file + " says " + OFF, true);
    }
    if (token.length() < MIN_LENGTH) {
      throw new Refused(
          file
              + ": the token has "
              + token.length()
              + " characters, at least "
              + MIN_LENGTH
              + " are needed (e.g. head -c 32 /dev/urandom | base64 > "
              + file
              + ")",
          token.isEmpty());
    }
    return new ApiToken(token);
  }

  /** Whether {@code presented} is the token, in constant time. */
  public boolean matches(String presented) {
    return MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ApiToken[...]";
  }
}
