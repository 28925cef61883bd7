package io.switchboard.hub.app.security;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("security: uploads not yet sent have a quota per member of staff (#11.10)")
class UploadQuotaTest {

  private static int upload(TestHub hub, String token, String name, int size) {
    return hub.send(hub.builder("/api/v1/attachments?name=" + name, token).header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]))).status();
  }

  @Test
  void uploadsPastTheQuotaAreRefusedUntilSentOrSwept() throws Exception {
    Path dir = TestHub.configWithRules(java.nio.file.Files.readString(TestHub.configDir().resolve("routing.yaml")));
    TestHub.setting(dir, "security", "uploadQuotaPerUser", 3000);
    try (TestHub hub = TestHub.startWith(Map.of(), dir)) {
      String alice = bearer(hub.login("alice", "alice-demo-pw"));
      String bob = bearer(hub.login("bob", "bob-demo-pw"));
      assertThat(upload(hub, alice, "a.bin", 1500)).isEqualTo(201);
      assertThat(upload(hub, alice, "b.bin", 1500)).isEqualTo(201);
      assertThat(upload(hub, alice, "c.bin", 1500)).as("past alice's quota").isEqualTo(409);
      assertThat(upload(hub, bob, "d.bin", 1500)).as("bob has his own").isEqualTo(201);
    }
  }
}
