package io.switchboard.hub.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of docs/architecture.md, held by ArchUnit over the production classes of every module
 * (hub-app depends on all of them). Every rule is strict: no violation is frozen ({@code archunit.properties} forbids
 * creating a store of frozen violations, so a rule cannot be frozen by accident).
 */
@DisplayName("the architecture's rules hold")
class ArchitectureTest {
  private static final String[] HUB_INTERNALS = {"io.switchboard.hub.core..", "io.switchboard.hub.store..",
      "io.switchboard.hub.app..", "io.switchboard.hub.embedded..", "io.switchboard.hub.testsupport..",
      "io.switchboard.routing.."};
  private static final String[] SQL_AND_REDIS = {"io.vertx.sqlclient..", "io.vertx.pgclient..", "io.lettuce..",
      "java.sql..", "org.postgresql.."};

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.switchboard");
  }

  @Test
  @DisplayName("channel adapters use the hub through hub-api only")
  void adaptersImportHubApiOnly() {
    noClasses().that().resideInAPackage("io.switchboard.channel..")
        .should().dependOnClassesThat().resideInAnyPackage(HUB_INTERNALS)
        .because("an adapter sees the hub through hub-api (the ChannelAdapter SPI) only")
        .check(classes);
  }

  @Test
  @DisplayName("no channel adapter uses another")
  void adaptersDoNotUseOneAnother() {
    slices().matching("io.switchboard.channel.(*)..").should().notDependOnEachOther()
        .because("each channel is one module the hub finds with ServiceLoader")
        .check(classes);
  }

  @Test
  @DisplayName("routing-rules is pure Java: no Vert.x, no network, no files (but the what-if command's)")
  void routingRulesHaveNoVertxOrIo() {
    noClasses().that().resideInAPackage("io.switchboard.routing..").and().doNotHaveSimpleName("WhatIfCommand")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "java.net..", "java.nio.file..",
            "java.nio.channels..", "java.sql..", "io.lettuce..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileReader")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileWriter")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.RandomAccessFile")
        .because("the rule engine is pure and property-tested; the hub does its I/O")
        .check(classes);
  }

  @Test
  @DisplayName("hub-app holds no SQL or Redis: it wires and translates, hub-store talks to the databases")
  void hubAppHoldsNoSqlOrRedis() {
    noClasses().that().resideInAPackage("io.switchboard.hub.app..")
        .should().dependOnClassesThat().resideInAnyPackage(SQL_AND_REDIS)
        .because("SQL and Redis live in hub-store (docs/architecture.md)")
        .check(classes);
  }

  /**
   * hub-app classes that may call hub-store themselves, each with its reason. Everything else in hub-app reaches the
   * stores through hub-core services; it may still name hub-store's records (rows a route prints) and pass a
   * {@code Stores} on to a hub-core constructor.
   */
  private static final java.util.Map<String, String> STORE_CALLERS = java.util.Map.of(
      "io.switchboard.hub.app.Hub", "assembles the hub: connects the pools, runs migrations, builds the stores",
      "io.switchboard.hub.app.http.OpsRoutes", "/health asks PostgreSQL and Redis themselves whether they answer",
      "io.switchboard.hub.app.metrics.HubMetrics", "the dependency gauges ping PostgreSQL and Redis, the outbox gauge counts its backlog");

  @Test
  @DisplayName("hub-app calls no store beyond wiring: routes, sockets and channel contexts go through hub-core")
  void hubAppCallsNoStoreBeyondWiring() {
    DescribedPredicate<com.tngtech.archunit.core.domain.JavaClass> storeLogic = DescribedPredicate.describe(
        "a hub-store class that talks to PostgreSQL or Redis (not a record, enum or BackendFailures)",
        c -> c.getPackageName().startsWith("io.switchboard.hub.store") && !c.isRecord() && !c.isEnum()
            && !c.getSimpleName().equals("BackendFailures") && !c.isInterface());
    noClasses().that().resideInAPackage("io.switchboard.hub.app..")
        .and(DescribedPredicate.describe("are not wiring or backend probes",
            (com.tngtech.archunit.core.domain.JavaClass c) -> !STORE_CALLERS.containsKey(c.getName())
                && STORE_CALLERS.keySet().stream().noneMatch(n -> c.getName().startsWith(n + "$"))))
        .should().callMethodWhere(DescribedPredicate.describe("the method belongs to " + storeLogic.getDescription(),
            call -> storeLogic.test(call.getTargetOwner())))
        .orShould().callConstructorWhere(DescribedPredicate.describe("the constructor belongs to " + storeLogic.getDescription(),
            call -> storeLogic.test(call.getTargetOwner())))
        .because("hub-app wires and translates; decisions and store calls live in hub-core (issue #15.2)")
        .check(classes);
  }

  @Test
  @DisplayName("hub-core holds no SQL client or Lettuce types: decisions in hub-core, SQL and Redis in hub-store")
  void hubCoreHoldsNoSqlClientOrLettuce() {
    noClasses().that().resideInAPackage("io.switchboard.hub.core..")
        .should().dependOnClassesThat().resideInAnyPackage(SQL_AND_REDIS)
        .because("SQL and Redis live in hub-store; a transaction is hub-store's opaque StoreTransaction (issue #15.2)")
        .check(classes);
  }

  /**
   * The same rule over hub-core's source text: a local variable's type leaves no trace in the class files ArchUnit
   * reads, so {@code SqlClient sql = ...} would pass the rule above. No import and no fully qualified name of the SQL
   * client, the PostgreSQL driver, JDBC or Lettuce may appear in hub-core's sources.
   */
  @Test
  @DisplayName("hub-core's sources import no SQL client, JDBC or Lettuce package, nor name one")
  void hubCoreSourcesNameNoSqlClientOrLettuce() throws java.io.IOException {
    java.nio.file.Path sources = java.nio.file.Path.of("..", "hub-core", "src", "main", "java");
    org.assertj.core.api.Assertions.assertThat(sources).as("hub-core's sources beside hub-app").isDirectory();
    java.util.regex.Pattern forbidden = java.util.regex.Pattern.compile(
        "\\b(io\\.vertx\\.sqlclient|io\\.vertx\\.pgclient|io\\.lettuce|java\\.sql|org\\.postgresql)\\.");
    java.util.List<String> found = new java.util.ArrayList<>();
    try (var files = java.nio.file.Files.walk(sources)) {
      for (java.nio.file.Path f : files.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          if (forbidden.matcher(lines.get(i)).find()) {
            found.add(sources.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
          }
        }
      }
    }
    org.assertj.core.api.Assertions.assertThat(found).as("SQL client, JDBC or Lettuce named in hub-core").isEmpty();
  }

  @Test
  @DisplayName("a class given a Clock reads the time from it, never from the system clock")
  void noSystemTimeWhereAClockIsInjected() {
    DescribedPredicate<JavaClass> holdingAClock = DescribedPredicate.describe("hold a java.time.Clock",
        c -> c.getAllFields().stream().anyMatch(f -> f.getRawType().isEquivalentTo(Clock.class)));
    noClasses().that(holdingAClock)
        .should().callMethod(Instant.class, "now")
        .orShould().callMethod(LocalDate.class, "now")
        .orShould().callMethod(LocalDateTime.class, "now")
        .orShould().callMethod(ZonedDateTime.class, "now")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .because("tests move the injected clock; a read of the system clock beside it disagrees with it")
        .check(classes);
  }
}
