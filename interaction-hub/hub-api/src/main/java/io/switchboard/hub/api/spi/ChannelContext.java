package io.switchboard.hub.api.spi;

import io.vertx.core.Vertx;
import java.util.Map;

/** What the hub gives an adapter when it starts it. */
public interface ChannelContext {

  /** The hub's Vert.x instance. */
  Vertx vertx();

  /** Where inbound contacts go. */
  InboundSink inbound();

  /** The adapter's own section of switchboard.yaml ({@code channels.<name>}); may be empty. */
  Map<String, Object> settings();

  /**
   * A secret from the environment, {@code SWITCHBOARD_<ADAPTER>_<NAME>} (for example
   * {@code SWITCHBOARD_WHATSAPP_APP_SECRET}); null when not set. Secrets never come from files.
   */
  String secret(String name);

  /** Endpoints on the hub's HTTP port. */
  ChannelHttp http();

  /** Status changes of outbound messages. */
  DeliverySink deliveries();

  /** Reading back conversations and queue positions. */
  ConversationReader conversations();

  /** Telling the hub the customer left. */
  InteractionControl interactions();

  /**
   * Messages to this adapter's instances on every hub node. The hub's context carries them across nodes;
   * the default reaches only this Vert.x instance (enough for a single node and for adapter tests).
   */
  default ChannelBroadcast broadcast() {
    return ChannelBroadcast.onThisNode(vertx(), getClass().getName());
  }

  /**
   * Leases shared by this adapter's instances on every hub node (one node reads a mailbox, controls a call).
   * The hub's context keeps them in Redis; the default reaches only this Vert.x instance (enough for a single
   * node and for adapter tests).
   */
  default ChannelLeases leases() {
    return ChannelLeases.onThisNode(vertx(), getClass().getName());
  }

  /**
   * How far this adapter has read its sources (mailboxes), kept in PostgreSQL by the hub. The default keeps
   * them in this Vert.x instance only (adapter tests).
   */
  default ChannelCursors cursors() {
    return ChannelCursors.onThisNode(vertx(), getClass().getName());
  }

  /**
   * Where messages that cannot be taken in are set aside for supervisors. The default keeps them in memory
   * (adapter tests).
   */
  default Quarantine quarantine() {
    return Quarantine.inMemory(null);
  }

  /** The hub's mail sender (from the email adapter), or {@link MailSender#NONE} when none runs. */
  default MailSender mail() {
    return MailSender.NONE;
  }

  /**
   * The agent's phone endpoint (an Asterisk dial string such as {@code PJSIP/1001} or {@code Local/1001@phones}),
   * set per agent through the API; null when the agent has none. The default knows none (adapter tests).
   */
  default io.vertx.core.Future<String> phoneEndpoint(io.switchboard.hub.api.AgentId agent) {
    return io.vertx.core.Future.succeededFuture(null);
  }

  /**
   * This adapter's channel's interactions that are not finished (created, queued, offered, assigned or in wrap-up...
   * every state but ended and abandoned), at most 10,000, so a live-session adapter can reconcile them with the
   * provider after a restart. The default knows none (adapter tests).
   */
  default io.vertx.core.Future<java.util.List<OpenInteraction>> openInteractions() {
    return io.vertx.core.Future.succeededFuture(java.util.List.of());
  }

  /**
   * The business calendars of the routing rules in force (opening hours per IVR entry point). The default has none
   * (adapter tests).
   */
  default BusinessHours businessHours() {
    return BusinessHours.NONE;
  }

  /**
   * Whether a customer with this identity exists (for example a customer number entered in an IVR, the handle
   * {@code customer-number:<digits>}), so the adapter can ask again before taking the contact in under it. The address
   * is normalised as intake does; one that is not valid is not known. The default knows nobody (adapter tests).
   */
  default io.vertx.core.Future<Boolean> knownCustomer(io.switchboard.hub.api.SenderAddress identity) {
    return io.vertx.core.Future.succeededFuture(false);
  }

  /**
   * Customer satisfaction surveys (docs/reports.md "CSAT"): the web chat puts its question in the widget after the
   * end, a voice adapter could ask for a digit after the call. The default asks nothing (adapter tests).
   */
  default Surveys surveys() {
    return Surveys.NONE;
  }
}
