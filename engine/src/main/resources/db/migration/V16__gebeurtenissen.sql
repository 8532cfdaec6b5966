-- Live updates for portal frontends (contract §7.2, docs/adr/0008).

-- Citizens who follow their box: a stream open now, or closed less than 24 hours ago (tot is kept
-- at now + 24 h while one is open). Events are written for these citizens only.
CREATE TABLE box_volger (
  bsn  char(9)     PRIMARY KEY,
  tot  timestamptz NOT NULL
);

-- A followed citizen's events, in the transaction of the change; kept 25 hours.
CREATE TABLE box_gebeurtenis (
  id        bigserial   PRIMARY KEY,
  bsn       char(9)     NOT NULL,
  soort     text        NOT NULL CHECK (soort IN ('bericht', 'gewijzigd')),
  bericht   bigint      NOT NULL,
  gelezen   boolean,
  map       text,                               -- gewijzigd: NULL when deleted for good
  tijdstip  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX box_gebeurtenis_bsn ON box_gebeurtenis (bsn, id);
CREATE INDEX box_gebeurtenis_tijdstip ON box_gebeurtenis (tijdstip);

-- A message published later is announced when it becomes visible by the job that queues its e-mail
-- (notificatie_gepland holds every such message, whoever it is for).

-- The open streams, for the service's cap per citizen. A stream counts while its process is
-- alive: the process refreshes one row of its own every 15 s (not a row per stream), and its
-- streams stop counting 45 s after it died.
CREATE TABLE box_proces (
  proces  uuid        PRIMARY KEY,
  tot     timestamptz NOT NULL
);
CREATE TABLE box_stroom (
  id      uuid        PRIMARY KEY,
  bsn     char(9)     NOT NULL,
  proces  uuid        NOT NULL
);
CREATE INDEX box_stroom_bsn ON box_stroom (bsn);
CREATE INDEX box_stroom_proces ON box_stroom (proces);
