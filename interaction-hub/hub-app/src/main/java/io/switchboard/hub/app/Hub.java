package io.switchboard.hub.app;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.hub.app.config.SwitchboardConfig;
import io.switchboard.hub.app.demo.DemoSeed;
import io.switchboard.hub.app.http.HttpApiVerticle;
import io.switchboard.hub.app.metrics.HubMetrics;
import io.switchboard.hub.app.metrics.MeteredIntake;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.core.agent.AgentService;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.PasswordHasher;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.core.console.ConsoleSettingsException;
import io.switchboard.hub.core.console.ConsoleSettingsService;
import io.switchboard.hub.core.console.ConsoleSettingsVerticle;
import io.switchboard.hub.core.customer.CustomerService;
import io.switchboard.hub.core.dashboard.DashboardService;
import io.switchboard.hub.core.dashboard.DashboardVerticle;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.intake.IntakeService;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.switchboard.hub.app.channels.ChannelRuntime;
import io.switchboard.hub.core.messaging.AttachmentService;
import io.switchboard.hub.core.messaging.AttachmentSweeper;
import io.switchboard.hub.core.messaging.DeliveryRelay;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.reports.AnalyticsSettings;
import io.switchboard.hub.core.reports.ReportJob;
import io.switchboard.hub.core.reports.ReportService;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.ReportStore;
import io.switchboard.hub.store.WebhookStore;
import io.switchboard.hub.core.webhooks.WebhookDispatcher;
import io.switchboard.hub.core.webhooks.WebhookFanout;
import io.switchboard.hub.core.webhooks.WebhookService;
import io.switchboard.hub.core.routing.RoutingVerticle;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.store.redis.RoutingState;
import java.time.Clock;
import io.switchboard.hub.embedded.DataFolder;
import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.embedded.ServerWatchdog;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.LeaseStore;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running hub: embedded servers when no PostgreSQL/Redis is configured, the schema, the services, the
 * verticles. {@link #start} blocks until it serves; {@link #stop} shuts everything down in reverse order and
 * leaves no process behind.
 *
 * <p>Size (about 400 lines, #15): the one place that assembles the hub, in start order (servers, pools, migrations,
 * stores, services, verticles, adapters, HTTP) and the reverse stop order; the order is the point, so it is read top
 * to bottom in one class. Decisions live in the services it builds.
 */
public final class Hub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);
  /** How often config/console.yaml is checked for changes (as often as routing.yaml). */

  private final SwitchboardConfig config;
  private final java.util.Map<String, String> env;
  private ChannelRuntime channels;
  private final List<AutoCloseable> closeInReverse = new ArrayList<>();
  private Vertx vertx;
  private io.switchboard.hub.app.http.HttpApi http;
  private String pgUrl;
  private String redisUrl;
  private boolean stopped;

  private Hub(SwitchboardConfig config, java.util.Map<String, String> env) {
    this.config = config;
    this.env = env;
  }

  /** Starts a hub and returns once it serves HTTP; on failure, whatever was started is stopped again. */
  public static Hub start(SwitchboardConfig config) {
    return start(config, System.getenv());
  }

  /**
   * As {@link #start(SwitchboardConfig)}, reading channel adapters' secrets ({@code SWITCHBOARD_<ADAPTER>_*})
   * from {@code env}.
   */
  public static Hub start(SwitchboardConfig config, java.util.Map<String, String> env) {
    Hub hub = new Hub(config, env);
    try {
      hub.boot();
      return hub;
    } catch (RuntimeException | Error e) {
      hub.stop();
      throw e;
    }
  }

  private void boot() {
    SwitchboardConfig cfg = config;
    OpenFiles.check(log);
    if (cfg.postgres().embedded() || cfg.redis().embedded()) {
      // One hub per data folder; servers a killed hub left running on it are stopped first.
      closeInReverse.add(DataFolder.claim(cfg.dataDir()));
    }
    List<Long> serverPids = new ArrayList<>();
    if (cfg.postgres().embedded()) {
      EmbeddedPostgresServer pg = EmbeddedPostgresServer.startDurable(cfg.dataDir().resolve("postgres"), 0);
      closeInReverse.add(pg);
      serverPids.add(pg.postmasterPid());
      pgUrl = pg.ensureDatabase("switchboard");
    } else {
      pgUrl = cfg.postgres().url();
    }
    if (cfg.redis().embedded()) {
      EmbeddedRedisServer redis = EmbeddedRedisServer.startDurable(cfg.dataDir().resolve("redis"), 0);
      closeInReverse.add(redis);
      serverPids.add(redis.pid());
      redisUrl = redis.url();
    } else {
      redisUrl = cfg.redis().url();
    }
    if (!serverPids.isEmpty()) {
      // Closed before the servers on a normal stop; if this process is killed, it stops them.
      closeInReverse.add(ServerWatchdog.watch(serverPids));
    }

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Every figure says which hub node it comes from.
    registry.config().commonTags("node", nodeName(env));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    closeInReverse.add(gc);

    VertxOptions vertxOptions = new VertxOptions();
    vertx = Vertx.builder()
        .with(vertxOptions.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();

    Database db = Database.connect(vertx, pgUrl, cfg.postgres().password(), cfg.postgres().poolSize(),
        cfg.postgres().poolWait());
    closeInReverse.add(db);
    Migrations.apply(db.options());
    RedisStore redis = RedisStore.connect(vertx, redisUrl, cfg.redis().password(), cfg.redis().keyPrefix());
    closeInReverse.add(redis);

    Stores stores = Stores.over(db);
    IdentityNormalizer normalizer = new IdentityNormalizer(cfg.customers().defaultRegion());
    AuthService auth = new AuthService(vertx, stores, new SessionStore(redis), new PasswordHasher(cfg.security().bcryptCost()),
        new AuthService.Settings(cfg.security().sessionTtl(), cfg.security().maxFailedLogins(), cfg.security().failureWindow(),
            cfg.security().authCacheTtl()));
    IntakeService intake = new IntakeService(vertx, stores, normalizer);
    CustomerService customers = new CustomerService(vertx, stores, normalizer);
    AgentService agents = new AgentService(stores, auth, AgentService.CapacityDefaults.standard());

    RulesService rules = new RulesService(vertx, stores, cfg.configDir().resolve("routing.yaml"));
    await(rules.start(), "routing rules");
    RoutingService routing = new RoutingService(vertx, stores, new RoutingState(redis), rules, Clock.systemUTC());
    ConsoleSettingsService console = consoleSettings(vertx, stores, cfg.configDir().resolve("console.yaml"));

    // Before routing and messaging publish anything, so consoles on other nodes hear of every event; and before the
    // demo is switched off, so the other nodes drop the demo's sessions and key they hold in memory at once.
    await(vertx.deployVerticle(new ClusterEvents(redis)), "cluster events");
    if (cfg.demo().enabled()) {
      await(new DemoSeed(cfg.configDir().resolve("demo"), stores, agents, customers, auth, cfg.demo().apiKey()).runOnce()
          .compose(x -> auth.accounts().markDemoSeeded()), "demo seed");
      log.atWarn().addKeyValue("host", cfg.http().host()).log("""

          ************************************************************************************************
          *  DEMO MODE: the published demo logins (ada/ada-demo-pw is an admin) and the demo API key work. *
          *  Never expose this hub: set SWITCHBOARD_DEMO=false before anyone else can reach it.            *
          ************************************************************************************************""");
    } else {
      // The demo's published logins and key stop working the moment the demo is off.
      await(auth.accounts().disableDemo(), "disabling the demo accounts");
    }

    HubMetrics.register(vertx, registry, stores, redis);
    InboundSink meteredIntake = new MeteredIntake(intake, registry);
    MeteredIntake.registerBatching(intake, registry);
    // Routing listens for interaction.created, so it is deployed before the relay starts publishing.
    await(vertx.deployVerticle(new RoutingVerticle(routing, Duration.ofSeconds(1), cfg.routing().reconcileEvery(),
        cfg.configPollEvery()), RoutingVerticle.deploymentOptions()), "routing");
    await(vertx.deployVerticle(new OutboxRelay(stores, Duration.ofSeconds(1), config.outbox().retention(), Duration.ofMinutes(1))), "outbox relay");
    // This node's console.yaml, re-read when it changes (each node reads its own file).
    await(vertx.deployVerticle(new ConsoleSettingsVerticle(console, cfg.configPollEvery())), "console settings");
    // Before HTTP, so the dashboard route and consoles find this node's dashboard from the first request.
    await(vertx.deployVerticle(new DashboardVerticle(new DashboardService(stores, new RoutingState(redis), rules, Clock.systemUTC()),
        Duration.ofSeconds(1))), "dashboard");
    // Interval reports: the job fills the report tables from the interactions (docs/reports.md).
    AnalyticsSettings analyticsSettings = analyticsSettings(cfg.configDir().resolve("analytics.yaml"));
    ReportStore reportStore = new ReportStore();
    java.util.function.Supplier<java.time.ZoneId> businessZone =
        () -> rules.current().calendarZone().orElse(java.time.ZoneId.systemDefault());
    await(vertx.deployVerticle(new ReportJob(db, reportStore, analyticsSettings, businessZone, Clock.systemUTC())), "report job");
    // Outbound webhooks: events become signed deliveries through the outbox (docs/webhooks.md).
    WebhookStore webhookStore = new WebhookStore();
    await(vertx.deployVerticle(new WebhookFanout(db, webhookStore, Duration.ofSeconds(1))), "webhook events");
    await(vertx.deployVerticle(new WebhookDispatcher(db, webhookStore, stores.outbox(), stores.audit(), analyticsSettings.webhooks(),
        Duration.ofSeconds(1))), "webhook dispatcher");
    // Satisfaction surveys (docs/reports.md "CSAT"): links signed with SWITCHBOARD_SURVEY_KEY or a key generated once
    // per installation (kept in PostgreSQL, so in the data folder of an embedded hub).
    io.switchboard.hub.store.SurveyStore surveyStore = new io.switchboard.hub.store.SurveyStore();
    io.switchboard.hub.core.csat.SurveyService surveys = new io.switchboard.hub.core.csat.SurveyService(vertx, db, surveyStore,
        webhookStore, analyticsSettings.surveys(), new io.switchboard.hub.core.csat.SurveyTokens(surveyKey(env, stores), Clock.systemUTC()),
        Clock.systemUTC());
    io.switchboard.hub.app.http.Analytics analytics = new io.switchboard.hub.app.http.Analytics(
        new ReportService(db, reportStore, businessZone, analyticsSettings),
        new WebhookService(vertx, db, webhookStore, stores.audit()),
        new io.switchboard.hub.core.reports.CustomerKpis(db, new io.switchboard.hub.store.CustomerKpiStore(), surveyStore,
            analyticsSettings, Clock.systemUTC()), surveys);
    java.util.function.Supplier<String> publicUrl =
        () -> cfg.http().publicUrl() != null ? cfg.http().publicUrl() : "http://localhost:" + httpPort();
    // A social customer's answer to an open survey question is taken as the answer, not as a new contact.
    InboundSink channelIntake = new io.switchboard.hub.core.csat.SurveyAnswers(meteredIntake, db, surveyStore, surveys);
    channels = new ChannelRuntime(vertx, stores, routing, channelIntake, cfg.channels(), env, publicUrl, new LeaseStore(redis),
        normalizer);
    channels.surveys(surveys);
    ChannelRuntime runtime = channels;
    await(vertx.deployVerticle(new io.switchboard.hub.core.csat.SurveySender(db, surveyStore, analyticsSettings.surveys(),
        java.util.Map.of("email", new io.switchboard.hub.core.csat.EmailSurveys(db, surveyStore, surveys, runtime::mailSender, publicUrl),
            "social", new io.switchboard.hub.core.csat.SocialSurveys(stores, runtime)),
        Duration.ofSeconds(5))), "survey sender");
    // Replies are checked against the running adapters before they are stored (a reply nothing can send is refused).
    MessageService messages = new MessageService(vertx, stores, normalizer, channels);
    AttachmentService attachments = new AttachmentService(stores, cfg.security().uploads());
    // The listener first, so adapters know the port (webhook and widget URLs); their routes are looked up
    // per request, so they serve as soon as each adapter has registered them.
    HttpApiVerticle.Services httpServices = new HttpApiVerticle.Services(
        stores, redis, auth, meteredIntake, customers, new InteractionQueries(stores, channels,
            new io.switchboard.hub.core.access.WorkVisibility(stores, cfg.security().visibility())), agents, routing, messages, attachments, channels,
        registry, cfg.demo().enabled() ? cfg.configDir().resolve("demo") : null, console,
        new io.switchboard.hub.core.quarantine.QuarantineService(stores), analytics, cfg.security().rights());
    // HTTP and WebSockets on every event loop (http.instances, default one per loop); one agent socket gateway per node.
    Vertx v = vertx;
    http = await(io.switchboard.hub.app.http.HttpApi.deploy(vertx, cfg.http(), httpServices,
        cfg.http().instancesFor(vertxOptions.getEventLoopPoolSize()),
        () -> new io.switchboard.hub.app.ws.AgentSocketGateway(v, auth, routing, httpServices.interactions(),
            new io.switchboard.hub.core.interaction.AgentTyping(v, stores), cfg.http().allowedOrigins(), cfg.http().publicUrl())),
        "HTTP API");
    List<String> adapters = await(channels.start(), "channel adapters");
    log.atInfo().addKeyValue("adapters", adapters).log(adapters.isEmpty() ? "no channel adapters on the classpath" : "channel adapters started");
    await(vertx.deployVerticle(new DeliveryRelay(stores, channels, Duration.ofSeconds(1))), "delivery relay");
    // Files uploaded for replies never sent are kept security.unusedUploadTtl (an hour by default), then deleted.
    await(vertx.deployVerticle(new AttachmentSweeper(attachments, cfg.security().unusedUploadTtl(), Duration.ofMinutes(5))),
        "attachment sweeper");
  }

  /**
   * config/console.yaml (dispositions, canned responses); a file with problems stops the hub with all of them.
   * Afterwards the file is polled and reloaded while the hub runs.
   */
  private static ConsoleSettingsService consoleSettings(Vertx vertx, Stores stores, java.nio.file.Path file) {
    try {
      ConsoleSettingsService service = ConsoleSettingsService.load(vertx, stores, file, Clock.systemUTC());
      log.atInfo().addKeyValue("file", file).addKeyValue("sha256", service.loaded().sha256())
          .addKeyValue("dispositions", service.current().dispositions().size())
          .addKeyValue("cannedResponses", service.current().cannedResponses().size())
          .log(service.loaded().fromFile() ? "console settings loaded" : "no console settings file; using the defaults");
      return service;
    } catch (ConsoleSettingsException e) {
      throw new io.switchboard.hub.app.config.ConfigException("console settings are invalid:\n" + e.getMessage(), e);
    }
  }

  /**
   * The key that signs survey links: {@code SWITCHBOARD_SURVEY_KEY} (at least 32 characters), else one generated at
   * the first start and kept in {@code install_secrets}.
   */
  private static byte[] surveyKey(java.util.Map<String, String> env, Stores stores) {
    String key = env.get("SWITCHBOARD_SURVEY_KEY");
    if (key != null && !key.isBlank()) {
      if (key.length() < 32) {
        throw new io.switchboard.hub.app.config.ConfigException("SWITCHBOARD_SURVEY_KEY must have at least 32 characters");
      }
      return key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    byte[] fresh = new byte[32];
    new java.security.SecureRandom().nextBytes(fresh);
    return await(stores.accounts().installSecret(stores.db().pool(), "survey-link-key", fresh), "survey link key");
  }

  /** config/analytics.yaml (docs/reports.md); a file with problems stops the hub naming the file and key. */
  private static AnalyticsSettings analyticsSettings(java.nio.file.Path file) {
    try {
      return AnalyticsSettings.load(file);
    } catch (IllegalArgumentException e) {
      throw new io.switchboard.hub.app.config.ConfigException("analytics settings are invalid: " + e.getMessage(), e);
    }
  }

  /** The HTTP port actually bound. */
  public int httpPort() {
    return http.port();
  }

  /** The agent socket gateway of this node (its sockets on every event loop). */
  public io.switchboard.hub.app.ws.AgentSocketGateway agentSockets() {
    return http.agentSockets();
  }

  /** Every HTTP route as "METHOD /path". */
  public List<String> routes() {
    return http.routes();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The PostgreSQL URL in use (the embedded server's when none was configured). */
  public String postgresUrl() {
    return pgUrl;
  }

  public String redisUrl() {
    return redisUrl;
  }

  /**
   * Stops in this order: HTTP stops accepting connections and the requests in flight finish (within
   * {@code http.shutdownGrace}); channel adapters stop; the remaining verticles (relays, routing) stop with Vert.x;
   * then the Redis and PostgreSQL pools close, and last the embedded servers. So no request is cut off by a closed pool.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (http != null) {
      try {
        http.undeploy().toCompletionStage().toCompletableFuture()
            .get(config.http().shutdownGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        log.info("HTTP stopped; requests in flight have finished");
      } catch (Exception e) {
        log.atWarn().setCause(e).log("HTTP did not stop cleanly");
      }
    }
    if (channels != null) {
      try {
        channels.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.atWarn().setCause(e).log("channel adapters did not stop cleanly");
      }
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture()
            .get(config.http().shutdownGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.atWarn().setCause(e).log("Vert.x did not close cleanly");
      }
    }
    for (int i = closeInReverse.size() - 1; i >= 0; i--) {
      try {
        closeInReverse.get(i).close();
      } catch (Exception e) {
        log.atWarn().setCause(e).log("could not close " + closeInReverse.get(i).getClass().getSimpleName());
      }
    }
    log.info("hub stopped");
  }

  @Override
  public void close() {
    stop();
  }

  /** {@code SWITCHBOARD_NODE_NAME}, or the host name: the {@code node} label of this hub's metrics. */
  static String nodeName(java.util.Map<String, String> env) {
    String configured = env.get("SWITCHBOARD_NODE_NAME");
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static <T> T await(Future<T> f, String what) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof io.switchboard.routing.RulesException rules) {
        throw new io.switchboard.hub.app.config.ConfigException("routing rules are invalid:\n" + rules.getMessage(), rules);
      }
      throw new IllegalStateException(what + " failed: " + cause, cause);
    } catch (Exception e) {
      throw new IllegalStateException(what + " did not finish: " + e, e);
    }
  }
}
