-- Service-level governance (issue 8): incidents with their priority and deadline by the
-- agreement's matrix, and heartbeats from which availability is computed.
CREATE TABLE incident (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  omschrijving  text        NOT NULL,
  impact        text        NOT NULL CHECK (impact IN ('HOOG', 'MIDDEN', 'LAAG')),
  urgentie      text        NOT NULL CHECK (urgentie IN ('HOOG', 'MIDDEN', 'LAAG')),
  prioriteit    smallint    NOT NULL CHECK (prioriteit BETWEEN 1 AND 3),
  gemeld_op     timestamptz NOT NULL,
  deadline      timestamptz NOT NULL,
  opgelost_op   timestamptz,
  aangemaakt_op timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_gemeld ON incident (gemeld_op);

-- Every engine process writes a heartbeat per minute while it is ready; a minute without one
-- from any process is an outage.
CREATE TABLE hartslag (
  minuut  timestamptz NOT NULL,
  proces  uuid        NOT NULL,
  gereed  boolean     NOT NULL,
  PRIMARY KEY (minuut, proces)
);

-- The engine's own latency histograms per hour and process (HdrHistogram, compressed), so the
-- monthly report can state presentation p99.9 and maximum processing time over the month.
CREATE TABLE meting_uur (
  uur        timestamptz NOT NULL,
  proces     uuid        NOT NULL,
  soort      text        NOT NULL,
  histogram  bytea       NOT NULL,
  PRIMARY KEY (uur, soort, proces)
);
