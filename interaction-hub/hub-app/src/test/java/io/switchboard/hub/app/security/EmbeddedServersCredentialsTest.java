package io.switchboard.hub.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.embedded.EmbeddedCredentials;
import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("security: the embedded PostgreSQL and Redis want a password kept in the data folder (#11.5)")
class EmbeddedServersCredentialsTest {

  @Test
  void postgresRefusesLocalClientsWithoutThePasswordOfItsDataFolder(@TempDir Path data) throws Exception {
    Path dir = data.resolve("postgres");
    String first;
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.startDurable(dir, 0)) {
      String jdbc = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres";
      // What a local user tried: the superuser without a password, then COPY ... TO PROGRAM.
      assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", "").close()).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", "wrong").close()).isInstanceOf(SQLException.class);
      try (var c = DriverManager.getConnection(jdbc, "postgres", pg.password());
          var rs = c.createStatement().executeQuery("SHOW listen_addresses")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("127.0.0.1");
      }
      first = pg.password();
    }
    Path file = EmbeddedCredentials.file(dir);
    assertThat(Files.readString(file).strip()).isEqualTo(first).hasSizeGreaterThanOrEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    try (EmbeddedPostgresServer again = EmbeddedPostgresServer.startDurable(dir, 0)) {
      assertThat(again.password()).as("the same data folder keeps its password").isEqualTo(first);
      String jdbc = "jdbc:postgresql://127.0.0.1:" + again.port() + "/postgres";
      assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", "").close()).isInstanceOf(SQLException.class);
      DriverManager.getConnection(jdbc, "postgres", again.password()).close();
    }
  }

  @Test
  void redisRefusesCommandsWithoutThePasswordOfItsDataFolder(@TempDir Path data) throws Exception {
    Path dir = data.resolve("redis");
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.startDurable(dir, 0)) {
      // What a local user tried: writing a key without a password.
      assertThat(command(redis.port(), "SET sb:session:x y")).startsWith("-NOAUTH");
      assertThat(command(redis.port(), "AUTH " + redis.password() + "\r\nPING")).contains("+PONG");
      assertThat(redis.url()).contains(redis.password() + "@127.0.0.1:");
      Path file = EmbeddedCredentials.file(dir);
      assertThat(Files.readString(file).strip()).isEqualTo(redis.password());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
  }

  private static String command(int port, String lines) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write((lines + "\r\n").getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      StringBuilder out = new StringBuilder();
      int expected = lines.split("\r\n").length;
      int seen = 0;
      for (int ch; seen < expected && (ch = in.read()) != -1; ) {
        out.append((char) ch);
        if (ch == '\n') {
          seen++;
        }
      }
      return out.toString();
    }
  }
}
