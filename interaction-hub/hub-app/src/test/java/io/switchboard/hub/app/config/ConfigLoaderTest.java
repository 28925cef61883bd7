package io.switchboard.hub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.app.TestHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private SwitchboardConfig load(String yaml, Map<String, String> env) throws IOException {
    Files.writeString(dir.resolve("switchboard.yaml"), yaml);
    return new ConfigLoader(env).load(dir);
  }

  @Test
  void theShippedFileLoadsWithEmbeddedServersAndTheDemo() {
    SwitchboardConfig c = new ConfigLoader(Map.of()).load(TestHub.configDir());
    assertThat(c.postgres().embedded()).isTrue();
    assertThat(c.redis().embedded()).isTrue();
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.demo().enabled()).isTrue();
    assertThat(c.customers().defaultRegion()).isEqualTo("DE");
  }

  @Test
  void environmentVariablesOverrideTheFile() throws IOException {
    SwitchboardConfig c = load("http:\n  port: 9000\nsecurity:\n  sessionTtl: 2h\n",
        Map.of("SWITCHBOARD_HTTP_PORT", "9100", "SWITCHBOARD_PG_URL", "postgresql://u@db:5432/sb", "SWITCHBOARD_DEMO", "false"));
    assertThat(c.http().port()).isEqualTo(9100);
    assertThat(c.postgres().embedded()).isFalse();
    assertThat(c.demo().enabled()).isFalse();
    assertThat(c.security().sessionTtl()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void theAuthCacheTtlIsReadFromTheFileAndTheEnvironmentAndRefusesNonsense() throws IOException {
    assertThat(new ConfigLoader(Map.of()).load(TestHub.configDir()).security().authCacheTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(load("security:\n  authCacheTtl: 30s\n", Map.of()).security().authCacheTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(load("security:\n  authCacheTtl: 30s\n", Map.of("SWITCHBOARD_AUTH_CACHE_TTL", "0s")).security().authCacheTtl())
        .as("0s turns the cache off").isZero();
    assertThatThrownBy(() -> load("security:\n  authCacheTtl: soon\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("security.authCacheTtl");
    assertThatThrownBy(() -> load("", Map.of("SWITCHBOARD_AUTH_CACHE_TTL", "5\u0000s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_AUTH_CACHE_TTL");
  }

  @Test
  void outboxRetentionComesFromTheFileTheEnvironmentOrTheDefaultAndIsAtLeastAMinute() throws IOException {
    assertThat(new ConfigLoader(Map.of()).load(TestHub.configDir()).outbox().retention()).isEqualTo(Duration.ofHours(168));
    assertThat(new ConfigLoader(Map.of()).load(dir).outbox().retention()).isEqualTo(Duration.ofDays(7));
    assertThat(load("outbox:\n  retention: 2h\n", Map.of()).outbox().retention()).isEqualTo(Duration.ofHours(2));
    assertThat(load("outbox:\n  retention: 2h\n", Map.of("SWITCHBOARD_OUTBOX_RETENTION", "30m")).outbox().retention())
        .isEqualTo(Duration.ofMinutes(30));
    assertThatThrownBy(() -> load("outbox:\n  retention: 10s\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("outbox.retention");
    assertThatThrownBy(() -> load("outbox:\n  retention: soon\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("outbox.retention");
    assertThatThrownBy(() -> load("outbox:\n  retension: 2h\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("retension");
  }

  @Test
  void aMissingFileMeansDefaults() {
    SwitchboardConfig c = new ConfigLoader(Map.of()).load(dir);
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.security().failureWindow()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void unknownKeysAreNamedWithTheFile() {
    assertThatThrownBy(() -> load("http:\n  prot: 8080\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("switchboard.yaml").hasMessageContaining("http.prot");
    assertThatThrownBy(() -> load("htp:\n  port: 8080\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'htp'");
  }

  @Test
  void badValuesAreNamedWithTheirKey() {
    assertThatThrownBy(() -> load("http:\n  port: eighty\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port").hasMessageContaining("eighty");
    assertThatThrownBy(() -> load("security:\n  sessionTtl: forever\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("security.sessionTtl");
    assertThatThrownBy(() -> load("", Map.of("SWITCHBOARD_HTTP_PORT", "70000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_HTTP_PORT");
    assertThatThrownBy(() -> load("demo:\n  enabled: maybe\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("demo.enabled");
  }

  @Test
  void httpInstancesIsOnePerEventLoopByDefaultAndRefusesBadValuesNamingTheKey() throws IOException {
    assertThat(load("", Map.of()).http().instancesFor(8)).as("0 (the default): one per event loop").isEqualTo(8);
    assertThat(load("http:\n  instances: 0\n", Map.of()).http().instancesFor(4)).isEqualTo(4);
    assertThat(load("http:\n  instances: 3\n", Map.of()).http().instancesFor(8)).isEqualTo(3);
    assertThat(load("http:\n  instances: 3\n", Map.of("SWITCHBOARD_HTTP_INSTANCES", "2")).http().instancesFor(8)).isEqualTo(2);
    for (String bad : new String[] {"-1", "-2147483648", "two", "1.5", "99999999999", "1000000", "1025", "''",
        "\"4\\0\"", "[2]", "{n: 2}", "true"}) {
      assertThatThrownBy(() -> load("http:\n  instances: " + bad + "\n", Map.of()))
          .as("http.instances: %s", bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("switchboard.yaml").hasMessageContaining("http.instances");
    }
    // The variable's error names the variable and the key it sets.
    for (String bad : new String[] {"-1", "many", "0x10", "99999999999", "1025", "2\u0000"}) {
      assertThatThrownBy(() -> load("", Map.of("SWITCHBOARD_HTTP_INSTANCES", bad)))
          .as("SWITCHBOARD_HTTP_INSTANCES=%s", bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_HTTP_INSTANCES")
          .hasMessageContaining("http.instances");
    }
  }

  @Test
  void invalidYamlIsReportedWithALine() {
    assertThatThrownBy(() -> load("http:\n  port: [8080\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML at line");
    assertThatThrownBy(() -> load("- just\n- a list\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must be a mapping");
  }

  @Test
  void postgresPoolSizeAndWaitAreReadAndBadValuesAreRefusedNamingTheKey() throws IOException {
    SwitchboardConfig.Postgres defaults = load("", Map.of()).postgres();
    assertThat(defaults.poolSize()).isEqualTo(16);
    assertThat(defaults.poolWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(load("postgres:\n  poolSize: 4\n  poolWait: 5s\n", Map.of()).postgres().poolWait()).isEqualTo(Duration.ofSeconds(5));
    assertThat(load("postgres:\n  poolWait: 5s\n", Map.of("SWITCHBOARD_PG_POOL_WAIT", "2s", "SWITCHBOARD_PG_POOL_SIZE", "3"))
        .postgres()).satisfies(pg -> {
          assertThat(pg.poolWait()).isEqualTo(Duration.ofSeconds(2));
          assertThat(pg.poolSize()).isEqualTo(3);
        });
    for (String bad : new String[] {"soon", "0s", "-1s", "\"5\\u0000s\"", "[1s]", "{a: 1}"}) {
      assertThatThrownBy(() -> load("postgres:\n  poolWait: " + bad + "\n", Map.of()))
          .as("postgres.poolWait: %s", bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("postgres.poolWait");
    }
    for (String bad : new String[] {"0", "-3", "201", "many", "1.5"}) {
      assertThatThrownBy(() -> load("postgres:\n  poolSize: " + bad + "\n", Map.of()))
          .as("postgres.poolSize: %s", bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("postgres.poolSize");
    }
    assertThatThrownBy(() -> load("", Map.of("SWITCHBOARD_PG_POOL_WAIT", "0s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("postgres.poolWait");
    assertThatThrownBy(() -> load("", Map.of("SWITCHBOARD_PG_POOL_WAIT", "5\u0000s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_PG_POOL_WAIT");
  }

  @Test
  void aDurationOutOfRangeInTheEnvironmentIsRefusedNamingTheVariableNotTheFile() throws IOException {
    String file = "postgres:\n  poolWait: 5s\nrouting:\n  reconcileEvery: 5s\nconfigPollEvery: 2s\noutbox:\n  retention: 2h\n";
    Map<String, String[]> bad = new java.util.LinkedHashMap<>();
    bad.put("SWITCHBOARD_PG_POOL_WAIT", new String[] {"0s", "0ms", "-1s", "PT0S", "-PT1S"});
    bad.put("SWITCHBOARD_ROUTING_RECONCILE_EVERY", new String[] {"99ms", "0s", "-5s"});
    bad.put("SWITCHBOARD_CONFIG_POLL_EVERY", new String[] {"49ms", "0s", "-1m"});
    bad.put("SWITCHBOARD_OUTBOX_RETENTION", new String[] {"59s", "0m", "-2h"});
    bad.forEach((variable, values) -> {
      for (String value : values) {
        assertThatThrownBy(() -> load(file, Map.of(variable, value)))
            .as("%s=%s", variable, value)
            .isInstanceOf(ConfigException.class).hasMessageContaining("environment variable " + variable)
            .hasMessageNotContaining("switchboard.yaml");
      }
    });
    // The same values in the file are refused naming the file and the key.
    assertThatThrownBy(() -> load("postgres:\n  poolWait: 0s\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("switchboard.yaml").hasMessageContaining("postgres.poolWait");
    assertThatThrownBy(() -> load("routing:\n  reconcileEvery: 99ms\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("switchboard.yaml").hasMessageContaining("routing.reconcileEvery");
    // The least values allowed are taken from the environment.
    SwitchboardConfig least = load(file, Map.of("SWITCHBOARD_PG_POOL_WAIT", "1ms", "SWITCHBOARD_ROUTING_RECONCILE_EVERY", "100ms",
        "SWITCHBOARD_CONFIG_POLL_EVERY", "50ms", "SWITCHBOARD_OUTBOX_RETENTION", "1m"));
    assertThat(least.postgres().poolWait()).isEqualTo(Duration.ofMillis(1));
    assertThat(least.routing().reconcileEvery()).isEqualTo(Duration.ofMillis(100));
    assertThat(least.configPollEvery()).isEqualTo(Duration.ofMillis(50));
    assertThat(least.outbox().retention()).isEqualTo(Duration.ofMinutes(1));
  }
}
