-- Issue 21: a message is written once. Intake decides it as it writes it (the citizen's box and
-- preferences are known there), so its 2 kB row is no longer inserted as parked and then rewritten
-- by processing with a new entry in every index. What processing still owes each message (its
-- receipt, counters, e-mail, live update, in receipt-number order) waits in this narrow queue;
-- until it is taken, the afnemer sees the message as ONTVANGEN.
CREATE TABLE bericht_wachtrij (
  id        bigint   PRIMARY KEY,
  oin       char(20) NOT NULL,
  batch_id  uuid
);
-- whether a batch has messages without a receipt yet (its counts are not final)
CREATE INDEX bericht_wachtrij_batch ON bericht_wachtrij (oin, batch_id) WHERE batch_id IS NOT NULL;

-- Messages parked before this version: processing decides them from the queue as before.
INSERT INTO bericht_wachtrij (id, oin, batch_id) SELECT id, oin, batch_id FROM bericht WHERE status = 0;

-- Nothing looks for parked rows by their status any more.
DROP INDEX bericht_te_verwerken;
