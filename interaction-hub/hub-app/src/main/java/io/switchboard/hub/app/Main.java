package io.switchboard.hub.app;

import io.switchboard.hub.app.config.ConfigException;
import io.switchboard.hub.app.config.ConfigLoader;
import io.switchboard.hub.app.config.SwitchboardConfig;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Switchboard: reads config/ (SWITCHBOARD_* variables override), starts embedded PostgreSQL and
 * Redis when none is configured, serves until SIGTERM or Ctrl-C, then shuts down cleanly. With the argument
 * {@code simulate} it runs the routing what-if simulator instead.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("simulate")) {
      // What-if: replay arrivals against one or two rule files in simulated time; no servers are started.
      System.exit(io.switchboard.routing.sim.WhatIfCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
      return;
    }
    if (args.length > 0) {
      System.err.println("usage: java -jar switchboard.jar            run the hub");
      System.err.println("       java -jar switchboard.jar simulate   what-if routing simulation (--help for options)");
      System.exit(2);
      return;
    }
    SwitchboardConfig config;
    try {
      config = new ConfigLoader(System.getenv()).load();
    } catch (ConfigException e) {
      System.err.println("switchboard: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Hub hub;
    try {
      hub = Hub.start(config);
    } catch (ConfigException e) {
      System.err.println("switchboard: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      log.atError().setCause(e).log("switchboard could not start");
      System.err.println("switchboard: could not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutdown requested");
      hub.stop();
      stopped.countDown();
    }, "switchboard-shutdown"));
    String base = "http://localhost:" + hub.httpPort();
    System.out.println();
    System.out.println("Switchboard is running.");
    System.out.println("  Console      " + base + "/");
    System.out.println("  API          " + base + "/api/v1  (OpenAPI: " + base + "/api/v1/openapi.yaml)");
    System.out.println("  Health       " + base + "/health");
    System.out.println("  Metrics      " + base + "/metrics");
    System.out.println("  PostgreSQL   " + redact(hub.postgresUrl()) + (config.postgres().embedded() ? "  (embedded, data in " + config.dataDir().resolve("postgres").toAbsolutePath() + ")" : ""));
    System.out.println("  Redis        " + redact(hub.redisUrl()) + (config.redis().embedded() ? "  (embedded, data in " + config.dataDir().resolve("redis").toAbsolutePath() + ")" : ""));
    System.out.println("Stop with Ctrl-C (SIGTERM).");
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String redact(String url) {
    if (url == null) {
      return "";
    }
    // postgresql://user:secret@host → user:***; redis://secret@host → ***
    return url.replaceAll("://([^:@/]+):[^@/]*@", "://$1:***@").replaceAll("^redis(s?)://[^:@/]+@", "redis$1://***@");
  }
}
