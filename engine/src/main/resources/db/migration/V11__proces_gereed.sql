-- When each process last said it was ready: the processes serving now are those of the last
-- 45 s, and an afnemer's rate limit is shared among them (Snelheidsbegrenzer).
ALTER TABLE hartslag ADD COLUMN laatst_gereed timestamptz;
