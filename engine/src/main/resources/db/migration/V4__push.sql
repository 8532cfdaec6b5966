-- Receipts pushed to the afnemer's callbackUrl (issue 4). One row per afnemer with a callback:
-- how far delivery got, the back-off state, and a lease so that one process pushes at a time.

CREATE TABLE push_stand (
  oin              char(20)    PRIMARY KEY REFERENCES afnemer (oin),
  volgnummer       bigint      NOT NULL DEFAULT 0,       -- last receipt delivered (or given up)
  pogingen         integer     NOT NULL DEFAULT 0,       -- failed attempts of the current batch
  eerste_fout_op   timestamptz,                          -- first failure of the current batch
  laatste_fout     text,
  volgende_poging  timestamptz NOT NULL DEFAULT now(),
  bezig_tot        timestamptz NOT NULL DEFAULT '-infinity'
);

-- Receipts that could not be delivered in the give-up time: still readable from the feed.
CREATE TABLE push_onbestelbaar (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  oin             char(20)    NOT NULL,
  van_volgnummer  bigint      NOT NULL,
  tot_volgnummer  bigint      NOT NULL,
  pogingen        integer     NOT NULL,
  laatste_fout    text,
  tijdstip        timestamptz NOT NULL DEFAULT now()
);
