-- Issue 20: each message keeps the W3C traceparent of the request that brought it (or one made for
-- it), and its receipt names that trace (feed, push, Kafka), as does a notification event about
-- it. Nullable: rows from before have none.
-- Adding a nullable column without a default rewrites nothing (PostgreSQL 11+).
ALTER TABLE bericht ADD COLUMN traceparent text;
ALTER TABLE afwijzing ADD COLUMN traceparent text;
ALTER TABLE verwerkingsbericht ADD COLUMN traceparent text;
-- a notification event names the trace of the first message it tells of (others may join it)
ALTER TABLE notificatie ADD COLUMN traceparent text;
