package io.switchboard.hub.store;

/** Every PostgreSQL store of the hub, over one {@link Database}. The stores themselves hold no state. */
public record Stores(
    Database db,
    CustomerStore customers,
    ConversationStore conversations,
    InteractionStore interactions,
    MessageStore messages,
    AgentStore agents,
    QueueStore queues,
    OutboxStore outbox,
    AuditStore audit,
    ApiKeyStore apiKeys,
    MarkerStore markers,
    RoutingStore routing,
    DashboardStore dashboard,
    AttachmentStore attachments,
    CursorStore cursors,
    QuarantineStore quarantine,
    AccountStore accounts,
    OfferContextStore offerContexts) {

  public static Stores over(Database db) {
    return new Stores(
        db,
        new CustomerStore(),
        new ConversationStore(),
        new InteractionStore(),
        new MessageStore(),
        new AgentStore(),
        new QueueStore(),
        new OutboxStore(),
        new AuditStore(),
        new ApiKeyStore(),
        new MarkerStore(),
        new RoutingStore(),
        new DashboardStore(),
        new AttachmentStore(),
        new CursorStore(),
        new QuarantineStore(),
        new AccountStore(),
        new OfferContextStore());
  }
}
