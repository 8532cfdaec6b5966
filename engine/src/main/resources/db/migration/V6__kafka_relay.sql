-- Kafka face (issue 5): how far the receipts (the outbox, written in the processing transaction)
-- have been published. One row per relayed stream; its row lock is the relay's lease.
CREATE TABLE kafka_relay (
  naam        text   PRIMARY KEY,
  volgnummer  bigint NOT NULL DEFAULT 0
);
INSERT INTO kafka_relay (naam) VALUES ('verwerkingsberichten');
