-- The citizen's mailbox (issue 3): a public id per delivered message, the moment it becomes
-- visible, a search text, and indexes that serve the portal's queries without touching
-- attachments or scanning a citizen's whole history.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE bericht
  ADD COLUMN publiek_id   uuid,
  ADD COLUMN zichtbaar_op timestamptz,
  ADD COLUMN zoektekst    text;

UPDATE bericht b
SET publiek_id = gen_random_uuid(),
    zichtbaar_op = coalesce(b.publicatie_datum, b.verwerkt_op),
    zoektekst = lower(b.onderwerp || ' ' || a.naam)
FROM afnemer a
WHERE a.oin = b.oin AND b.status = 1;

CREATE UNIQUE INDEX bericht_publiek_id ON bericht (publiek_id);
DROP INDEX bericht_bsn;

-- A page of one map, newest first: an index-only range scan that stops after the page.
CREATE INDEX bericht_box_lijst ON bericht (bsn, map, zichtbaar_op DESC, id DESC)
  INCLUDE (publiek_id, oin, onderwerp, referentie, gelezen, aantal_bijlagen)
  WHERE status = 1;

-- The unread count only ever visits unread inbox messages.
CREATE INDEX bericht_box_ongelezen ON bericht (bsn, zichtbaar_op)
  WHERE status = 1 AND map = 'inbox' AND NOT gelezen;

-- Search within one citizen's box: bsn and trigrams in one GIN index.
CREATE INDEX bericht_box_zoek ON bericht USING gin (bsn, zoektekst gin_trgm_ops)
  WHERE status = 1 AND zoektekst IS NOT NULL;
