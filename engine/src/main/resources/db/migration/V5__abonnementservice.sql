-- The Abonnementservice (issue 4): bulk requests of who accepts an afnemer, computed in the
-- background into a result table (all or nothing, in one transaction) and kept 7 days.

CREATE TABLE abonnement_verzoek (
  id              uuid        PRIMARY KEY,
  oin             char(20)    NOT NULL,
  soort           text        NOT NULL,               -- ALLES, BSN_LIJST, MUTATIES
  bsns            text[],                              -- BSN_LIJST
  mutatie_datum   timestamptz,                         -- MUTATIES
  nacht           date        NOT NULL,                -- the night (or day) whose quota it counts against
  status          text        NOT NULL DEFAULT 'IN_BEHANDELING',
  aangevraagd_op  timestamptz NOT NULL DEFAULT now(),
  gereed_op       timestamptz,
  aantal          bigint,
  pogingen        integer     NOT NULL DEFAULT 0,
  bezig_tot       timestamptz NOT NULL DEFAULT '-infinity',
  fout            text
);
CREATE INDEX abonnement_verzoek_quotum ON abonnement_verzoek (soort, nacht);
CREATE INDEX abonnement_verzoek_open ON abonnement_verzoek (aangevraagd_op) WHERE status = 'IN_BEHANDELING';
CREATE INDEX abonnement_verzoek_oud ON abonnement_verzoek (aangevraagd_op);

CREATE TABLE abonnement_resultaat (
  verzoek       uuid        NOT NULL REFERENCES abonnement_verzoek (id) ON DELETE CASCADE,
  nr            bigint      NOT NULL,
  bsn           char(9)     NOT NULL,
  actief        boolean     NOT NULL,
  gewijzigd_op  timestamptz NOT NULL,
  PRIMARY KEY (verzoek, nr)
);

-- ALLES reads the acceptances of one afnemer.
CREATE INDEX voorkeur_oin ON voorkeur (oin, bsn) WHERE berichten_ontvangen;
