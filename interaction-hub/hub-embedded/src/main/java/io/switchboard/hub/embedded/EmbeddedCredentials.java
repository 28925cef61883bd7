package io.switchboard.hub.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The password of an embedded server, generated on first start and kept beside its data directory in
 * {@code <data directory>.password} (owner read/write only, mode 600), so the server refuses local users and
 * programs that do not hold the data folder. Kept outside the data directory itself so that a server whose
 * data is lost (Redis) starts again with the same password.
 */
public final class EmbeddedCredentials {
  private static final SecureRandom random = new SecureRandom();
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private EmbeddedCredentials() {}

  /** The file holding the password of the server whose data is in {@code dataDirectory}. */
  public static Path file(Path dataDirectory) {
    Path d = dataDirectory.toAbsolutePath().normalize();
    return d.resolveSibling(d.getFileName() + ".password");
  }

  /**
   * The password for the server of {@code dataDirectory}: read from its file, or generated and written there
   * (mode 600) when there is none. A file with other permissions is tightened to 600.
   */
  public static synchronized String forDataDirectory(Path dataDirectory) {
    Path file = file(dataDirectory);
    try {
      Files.createDirectories(file.getParent());
      if (Files.exists(file)) {
        String pw = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!pw.isEmpty()) {
          tighten(file);
          return pw;
        }
      }
      String pw = generate();
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp);
      }
      Files.writeString(tmp, pw + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      tighten(file);
      return pw;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the embedded server's password file " + file, e);
    }
  }

  /** A new random password: 32 random bytes, hex (safe in URLs and configuration files). */
  public static String generate() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static void tighten(Path file) throws IOException {
    try {
      if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(file, OWNER_ONLY);
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing more to do
    }
  }
}
