-- Foundation schema: afnemers, berichttypen, parked and processed messages, receipts.
-- Stages talk through these tables, so a crash between stages loses nothing.

CREATE TABLE afnemer (
  oin                 char(20)    PRIMARY KEY,
  naam                text        NOT NULL,
  callback_url        text,
  callback_secret     text,
  limiet_per_seconde  integer,
  actief              boolean     NOT NULL DEFAULT true,
  api_sleutel_sha256  bytea       NOT NULL UNIQUE,
  aangemaakt_op       timestamptz NOT NULL DEFAULT now(),
  gewijzigd_op        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bericht_type (
  oin           char(20)    NOT NULL REFERENCES afnemer (oin),
  code          varchar(8)  NOT NULL,
  omschrijving  text        NOT NULL,
  actief        boolean     NOT NULL,
  gewijzigd_op  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (oin, code)
);

CREATE TABLE batch (
  oin            char(20)    NOT NULL,
  batch_id       uuid        NOT NULL,
  aanmaak_datum  timestamptz NOT NULL,
  ontvangen_op   timestamptz NOT NULL DEFAULT now(),
  totaal         integer     NOT NULL,
  PRIMARY KEY (oin, batch_id)
);
CREATE INDEX batch_oin_ontvangen ON batch (oin, ontvangen_op DESC);

-- Outcome counters per batch and verwerkingsCode, maintained by intake (refusals on arrival)
-- and by processing, in their own transactions.
CREATE TABLE batch_teller (
  oin       char(20) NOT NULL,
  batch_id  uuid     NOT NULL,
  code      text     NOT NULL,
  aantal    integer  NOT NULL,
  laatst_op timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (oin, batch_id, code)
);

-- Per afnemer and day: offered (code 'Aangeboden') and outcomes per verwerkingsCode.
CREATE TABLE dag_teller (
  oin     char(20) NOT NULL,
  datum   date     NOT NULL,
  code    text     NOT NULL,
  aantal  bigint   NOT NULL,
  PRIMARY KEY (oin, datum, code)
);

-- status: 0 ONTVANGEN, 1 AFGELEVERD, 2 AFGEWEZEN
CREATE TABLE bericht (
  id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  oin                char(20)    NOT NULL,
  bericht_id         uuid        NOT NULL,
  batch_id           uuid,
  bsn                char(9)     NOT NULL,
  bericht_type       varchar(8)  NOT NULL,
  onderwerp          text        NOT NULL,
  bericht_tekst      text        NOT NULL,
  referentie         text,
  publicatie_datum   timestamptz,
  eind_datum_handelingstermijn date,
  aantal_bijlagen    smallint    NOT NULL,
  digest             bytea       NOT NULL,
  status             smallint    NOT NULL DEFAULT 0,
  verwerkings_code   text,
  ontvangen_op       timestamptz NOT NULL DEFAULT now(),
  verwerkt_op        timestamptz,
  map                text        NOT NULL DEFAULT 'inbox',
  gelezen            boolean     NOT NULL DEFAULT false,
  UNIQUE (oin, bericht_id)
);
-- The processor's work queue: only parked rows are in it, so it stays small.
CREATE INDEX bericht_te_verwerken ON bericht (id) WHERE status = 0;
CREATE INDEX bericht_batch_open ON bericht (oin, batch_id) WHERE status = 0;
CREATE INDEX bericht_bsn ON bericht (bsn, id) WHERE status = 1;

CREATE TABLE bijlage (
  bericht       bigint      NOT NULL REFERENCES bericht (id) ON DELETE CASCADE,
  volgorde      smallint    NOT NULL,
  omschrijving  text        NOT NULL,
  media_type    text        NOT NULL,
  inhoud        bytea       NOT NULL,
  PRIMARY KEY (bericht, volgorde)
);
ALTER TABLE bijlage ALTER COLUMN inhoud SET STORAGE EXTERNAL;

-- Refusals on arrival wait here until the processor gives them a receipt number, so that
-- receipt numbers are handed out by one writer in commit order.
CREATE TABLE afwijzing (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  oin               char(20)    NOT NULL,
  bericht_id        text,
  batch_id          uuid,
  verwerkings_code  text        NOT NULL,
  tijdstip          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE verwerkingsbericht (
  volgnummer        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  oin               char(20)    NOT NULL,
  bericht_id        text,
  batch_id          uuid,
  status            smallint    NOT NULL,
  verwerkings_code  text        NOT NULL,
  tijdstip          timestamptz NOT NULL
);
CREATE INDEX verwerkingsbericht_feed ON verwerkingsbericht (oin, volgnummer);
CREATE INDEX verwerkingsbericht_tijdstip ON verwerkingsbericht (tijdstip);

-- Citizen side, as far as the foundation needs it: an active box and per-afnemer acceptance.
CREATE TABLE berichtenbox (
  bsn               char(9)     PRIMARY KEY,
  actief            boolean     NOT NULL DEFAULT true,
  email             text,
  notificaties_aan  boolean     NOT NULL DEFAULT false,
  geactiveerd_op    timestamptz NOT NULL DEFAULT now(),
  gewijzigd_op      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE voorkeur (
  bsn                  char(9)     NOT NULL REFERENCES berichtenbox (bsn),
  oin                  char(20)    NOT NULL REFERENCES afnemer (oin),
  berichten_ontvangen  boolean     NOT NULL,
  gewijzigd_op         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bsn, oin)
);

-- Every change of acceptance, for the Abonnementservice's MUTATIES.
CREATE TABLE voorkeur_mutatie (
  volgnummer           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bsn                  char(9)     NOT NULL,
  oin                  char(20)    NOT NULL,
  berichten_ontvangen  boolean     NOT NULL,
  tijdstip             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX voorkeur_mutatie_oin_tijd ON voorkeur_mutatie (oin, tijdstip);
