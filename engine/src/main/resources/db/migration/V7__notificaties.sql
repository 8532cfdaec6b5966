-- Notifications (issue 6): e-mails to citizens about new and unread mail, without content.

-- One row per e-mail. The id is the order of arrival: the notifier sends in id order.
-- status: 0 queued, 1 being sent (leased until bezig_tot), 2 sent, 3 failed for good,
-- 4 lapsed (the citizen no longer wants e-mail). soort: 0 new mail, 1 reminder.
CREATE TABLE notificatie (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bsn            char(9)     NOT NULL,
  soort          smallint    NOT NULL,
  aantal         integer     NOT NULL,
  status         smallint    NOT NULL DEFAULT 0,
  aangemaakt_op  timestamptz NOT NULL DEFAULT now(),
  niet_voor      timestamptz NOT NULL,
  bezig_tot      timestamptz,
  pogingen       smallint    NOT NULL DEFAULT 0,
  verzonden_op   timestamptz,
  fout           text
);
-- A message for a citizen with an e-mail still queued (never tried) joins it.
CREATE UNIQUE INDEX notificatie_open ON notificatie (bsn, soort) WHERE status = 0 AND pogingen = 0;
-- The notifier's queue: only unsent rows, in order of arrival.
CREATE INDEX notificatie_wachtrij ON notificatie (id) WHERE status IN (0, 1);
-- Housekeeping deletes handled rows after 30 days.
CREATE INDEX notificatie_afgehandeld ON notificatie (aangemaakt_op) WHERE status >= 2;

-- The throttle, one row: e-mails counted in the current clock hour and Amsterdam day (exact
-- caps) and a token bucket that paces them (one minute's worth at most). The notifier locks the
-- row while it claims, so several processes together keep to the limits.
CREATE TABLE notificatie_throttle (
  id          boolean          PRIMARY KEY DEFAULT true CHECK (id),
  uur_begin   timestamptz      NOT NULL,
  uur_aantal  integer          NOT NULL,
  dag_begin   timestamptz      NOT NULL,
  dag_aantal  integer          NOT NULL,
  tegoed      double precision NOT NULL,
  tegoed_op   timestamptz      NOT NULL
);
INSERT INTO notificatie_throttle VALUES (true, 'epoch', 0, 'epoch', 0, 0, 'epoch');

-- Delivered messages whose publicatieDatum lies ahead: queued for a notification when it comes.
CREATE TABLE notificatie_gepland (
  bericht      bigint      PRIMARY KEY,
  bsn          char(9)     NOT NULL,
  zichtbaar_op timestamptz NOT NULL
);
CREATE INDEX notificatie_gepland_op ON notificatie_gepland (zichtbaar_op);

-- The last e-mail to a citizen starts the bundling window.
ALTER TABLE berichtenbox ADD COLUMN laatste_notificatie_op timestamptz;

-- A reminder once per message: set when its reminder is queued (or when it needs none).
ALTER TABLE bericht ADD COLUMN herinnerd_op timestamptz;
-- Messages history already holds (before notifications existed) count as reminded.
UPDATE bericht SET herinnerd_op = now()
WHERE status = 1 AND NOT gelezen AND zichtbaar_op < now() - interval '21 days';
CREATE INDEX bericht_herinnering ON bericht (zichtbaar_op)
  WHERE status = 1 AND NOT gelezen AND herinnerd_op IS NULL AND map IN ('inbox', 'archief');
