-- Issue 21: every index on the write path earns its place, by the write-ahead log each message
-- costs (loadtest/run-ontleding.sh, docs/performance.md "Where a message's cost goes").
--
-- Search needs no index of its own: it filters the citizen's own map, which bericht_box_lijst
-- already serves index-only (onderwerp is in it, the sender's name comes with the join the list
-- makes anyway). The trigram index cost about 1 kB of log per delivered message, a quarter of all.
DROP INDEX bericht_box_zoek;
ALTER TABLE bericht DROP COLUMN zoektekst;

-- A message has no public id until it is delivered: the parked ones need no entry.
DROP INDEX bericht_publiek_id;
CREATE UNIQUE INDEX bericht_publiek_id ON bericht (publiek_id) WHERE publiek_id IS NOT NULL;

-- Only messages of a batch are asked for by batch.
DROP INDEX bericht_batch_open;
CREATE INDEX bericht_batch_open ON bericht (oin, batch_id) WHERE status = 0 AND batch_id IS NOT NULL;
