-- Notification events to Kafka (issue 5): the notificatie table is their outbox. Its ids are
-- handed out under the processing lock, so they commit in id order. The first relay (when Kafka
-- is configured) starts at the oldest row the table still holds (handled rows are kept 30 days).
INSERT INTO kafka_relay (naam) VALUES ('notificaties');
