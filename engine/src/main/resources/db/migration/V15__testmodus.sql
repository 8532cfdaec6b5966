-- Test mode for afnemers (contract §7.1). A test afnemer's messages run the whole pipeline; the
-- processing round tells them apart by their afnemer, so intake writes nothing extra.
ALTER TABLE afnemer ADD COLUMN testmodus boolean NOT NULL DEFAULT false;
-- the round reads the (few) test afnemers once per round
CREATE INDEX afnemer_testmodus ON afnemer (oin) WHERE testmodus;

-- bericht.status beside 0 (parked), 1 (delivered) and 2 (refused):
--   3  processed in test mode with code Verwerkt: receipted as delivered (status 1 on the wire),
--      never in a box (no public id, never visible), never an e-mail
--   4  a test message to 999990032 whose receipt waits: the processing round takes it again once
--      60 s have passed since it was accepted, and receipts it
CREATE INDEX bericht_test_wacht ON bericht (ontvangen_op) WHERE status = 4;
-- a batch with a message waiting in test mode is still open (its receipt has yet to come)
DROP INDEX bericht_batch_open;
CREATE INDEX bericht_batch_open ON bericht (oin, batch_id) WHERE status IN (0, 4) AND batch_id IS NOT NULL;

-- A test afnemer's Abonnementservice requests count against no night's quota.
ALTER TABLE abonnement_verzoek ALTER COLUMN nacht DROP NOT NULL;
