-- The what-if simulation replays the last days' arrivals (ArrivalStore): read by creation time.
CREATE INDEX IF NOT EXISTS interactions_created_at ON interactions (created_at);
