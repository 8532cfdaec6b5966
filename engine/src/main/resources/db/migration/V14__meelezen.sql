-- Meelezen (contract §7.3): a reader the citizen authorises to read along. The owner handles a
-- grant by its id, the reader sees the shared box by box_id: two random ids, so the one never
-- names the other's handle, and neither is a BSN. A revoked grant stays (ingetrokken_op) so the
-- owner keeps seeing what that reader read.
CREATE TABLE meelezer (
  id              uuid        PRIMARY KEY,
  box_id          uuid        NOT NULL UNIQUE,
  eigenaar_bsn    char(9)     NOT NULL,
  lezer_bsn       char(9)     NOT NULL,
  tot             timestamptz,
  aangemaakt_op   timestamptz NOT NULL DEFAULT now(),
  ingetrokken_op  timestamptz,
  CHECK (eigenaar_bsn <> lezer_bsn)
);
CREATE INDEX meelezer_eigenaar ON meelezer (eigenaar_bsn) WHERE ingetrokken_op IS NULL;
CREATE INDEX meelezer_lezer ON meelezer (lezer_bsn) WHERE ingetrokken_op IS NULL;

-- Every access by a reader, for the owner; kept 13 months.
CREATE TABLE inzage (
  meelezer    uuid        NOT NULL REFERENCES meelezer (id),
  tijdstip    timestamptz NOT NULL DEFAULT clock_timestamp(),
  actie       text        NOT NULL CHECK (actie IN ('lijst', 'bericht', 'bijlage')),
  bericht_id  uuid
);
CREATE INDEX inzage_meelezer ON inzage (meelezer, tijdstip DESC);
CREATE INDEX inzage_tijdstip ON inzage (tijdstip);
