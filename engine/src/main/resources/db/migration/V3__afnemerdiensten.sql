-- Afnemer services (issue 4): the Validatieservice's global hourly quota and monthly forecasts.

CREATE TABLE validatie_quotum (
  uur     timestamptz PRIMARY KEY,
  aantal  integer     NOT NULL
);

CREATE TABLE prognose (
  oin                    char(20)    NOT NULL REFERENCES afnemer (oin),
  maand                  date        NOT NULL,   -- first day of the month
  aantal_berichten       bigint      NOT NULL,
  gemiddelde_grootte_kb  integer     NOT NULL,
  gewijzigd_op           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (oin, maand)
);
CREATE INDEX prognose_maand ON prognose (maand);
