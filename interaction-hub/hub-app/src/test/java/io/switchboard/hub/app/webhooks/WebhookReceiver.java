package io.switchboard.hub.app.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.hub.core.webhooks.WebhookSignatures;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP receiver of webhooks on a free loopback port: records every request and answers {@code status}. */
public final class WebhookReceiver implements AutoCloseable {
  public record Request(Map<String, String> headers, byte[] body) {
    public JsonObject json() {
      return new JsonObject(new String(body, StandardCharsets.UTF_8));
    }
  }

  public final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  public final AtomicInteger count = new AtomicInteger();
  final HttpServer server;

  public WebhookReceiver(int status) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, String> headers = new HashMap<>();
      for (String h : new String[] {WebhookSignatures.SIGNATURE_HEADER, WebhookSignatures.TIMESTAMP_HEADER,
          WebhookSignatures.EVENT_HEADER, WebhookSignatures.DELIVERY_HEADER}) {
        headers.put(h, ex.getRequestHeaders().getFirst(h));
      }
      count.incrementAndGet();
      requests.add(new Request(headers, body));
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  public Request next() throws InterruptedException {
    Request r = requests.poll(60, TimeUnit.SECONDS);
    assertThat(r).as("a webhook request within 60 s").isNotNull();
    return r;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
