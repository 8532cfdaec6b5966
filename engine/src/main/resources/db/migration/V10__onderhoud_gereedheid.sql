-- Moved maintenance windows (issue 8): the window of a kind that would have been on a day,
-- moved to another time. Planned only when announced 10 working days ahead (computed, not stored).
CREATE TABLE onderhoud_verplaatsing (
  soort            text        NOT NULL,
  datum            date        NOT NULL,
  van              timestamptz NOT NULL,
  tot              timestamptz NOT NULL CHECK (tot > van),
  aangekondigd_op  timestamptz NOT NULL,
  geregistreerd_op timestamptz NOT NULL DEFAULT now(),
  reden            text,
  PRIMARY KEY (soort, datum)
);
CREATE INDEX onderhoud_verplaatsing_van ON onderhoud_verplaatsing (van);

-- Minutes in which a process ran but was not ready, with the reason (database, kafka,
-- afsluiten), apart from the heartbeats: an outage with a process up is told from one without.
CREATE TABLE gereedheid_storing (
  minuut  timestamptz NOT NULL,
  proces  uuid        NOT NULL,
  reden   text        NOT NULL,
  PRIMARY KEY (minuut, proces, reden)
);

-- Visitors of the portal API per day, by pseudonym (HMAC of the BSN), for the monthly report.
CREATE TABLE bezoek (
  dag         date NOT NULL,
  pseudoniem  text NOT NULL,
  PRIMARY KEY (dag, pseudoniem)
);
