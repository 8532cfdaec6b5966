-- psql -h 127.0.0.1 -p $PGPORT -U postgres -v bsn=100046654 -v id=<publiek_id of one of its messages> \
--      -v cursor_tijd=<zichtbaar_op of its 3rd message> -v cursor_id=<id of that message> -f docs/explain.sql
\echo '### 1. inbox, first page (LIST)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT b.publiek_id, b.oin, a.naam, b.onderwerp, b.referentie, b.zichtbaar_op, b.gelezen, b.map, b.aantal_bijlagen, b.id
FROM bericht b JOIN afnemer a ON a.oin = b.oin
WHERE b.bsn = :'bsn' AND b.status = 1 AND b.map = 'inbox' AND b.zichtbaar_op <= now()
  AND (b.zichtbaar_op, b.id) < ('9999-01-01'::timestamptz, 9223372036854775807)
  AND (NULL::boolean IS NULL OR b.gelezen = NOT NULL::boolean) AND (NULL::text IS NULL OR b.oin = NULL::char(20))
ORDER BY b.zichtbaar_op DESC, b.id DESC LIMIT 21;
\echo '### 2. next page (keyset cursor)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT b.publiek_id, b.oin, a.naam, b.onderwerp, b.referentie, b.zichtbaar_op, b.gelezen, b.map, b.aantal_bijlagen, b.id
FROM bericht b JOIN afnemer a ON a.oin = b.oin
WHERE b.bsn = :'bsn' AND b.status = 1 AND b.map = 'inbox' AND b.zichtbaar_op <= now()
  AND (b.zichtbaar_op, b.id) < (:'cursor_tijd'::timestamptz, :cursor_id)
ORDER BY b.zichtbaar_op DESC, b.id DESC LIMIT 21;
\echo '### 3. search (zoek)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT b.publiek_id, b.oin, a.naam, b.onderwerp, b.referentie, b.zichtbaar_op, b.gelezen, b.map, b.aantal_bijlagen, b.id
FROM bericht b JOIN afnemer a ON a.oin = b.oin
WHERE b.bsn = :'bsn' AND b.status = 1 AND b.map = 'inbox' AND b.zichtbaar_op <= now()
  AND (b.zichtbaar_op, b.id) < ('9999-01-01'::timestamptz, 9223372036854775807)
  AND lower(b.onderwerp || ' ' || a.naam) LIKE '%aanslag%'
ORDER BY b.zichtbaar_op DESC, b.id DESC LIMIT 21;
\echo '### 3b. search in a long history: 5 000 messages in one inbox, none matching (the whole map read)'
-- a citizen (BSN 999999990, not seeded) with 5 000 delivered messages, vacuumed as an old box is;
-- removed again at the end
INSERT INTO bericht (oin, bericht_id, bsn, bericht_type, onderwerp, bericht_tekst, aantal_bijlagen, digest, status,
                     verwerkings_code, verwerkt_op, map, publiek_id, zichtbaar_op)
SELECT a.oin, gen_random_uuid(), '999999990', 'ALG', 'Uw WOZ-beschikking ' || i, 'tekst', 0, '\x00'::bytea, 1,
       'Verwerkt', now(), 'inbox', gen_random_uuid(), now() - i * interval '1 hour'
FROM generate_series(1, 5000) i, (SELECT oin FROM afnemer ORDER BY oin LIMIT 1) a;
VACUUM ANALYZE bericht;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT b.publiek_id, b.oin, a.naam, b.onderwerp, b.referentie, b.zichtbaar_op, b.gelezen, b.map, b.aantal_bijlagen, b.id
FROM bericht b JOIN afnemer a ON a.oin = b.oin
WHERE b.bsn = '999999990' AND b.status = 1 AND b.map = 'inbox' AND b.zichtbaar_op <= now()
  AND (b.zichtbaar_op, b.id) < ('9999-01-01'::timestamptz, 9223372036854775807)
  AND lower(b.onderwerp || ' ' || a.naam) LIKE '%aanslag%'
ORDER BY b.zichtbaar_op DESC, b.id DESC LIMIT 21;
DELETE FROM bericht WHERE bsn = '999999990';
\echo '### 4. read one message (attachment metadata only)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT b.publiek_id, b.oin, a.naam, b.onderwerp, b.bericht_tekst, b.referentie, b.zichtbaar_op,
       b.eind_datum_handelingstermijn, b.gelezen, b.map, b.aantal_bijlagen,
       (SELECT coalesce(json_agg(json_build_object('volgorde', j.volgorde, 'omschrijving', j.omschrijving, 'mediaType', j.media_type, 'grootte', octet_length(j.inhoud)) ORDER BY j.volgorde), '[]'::json)
        FROM bijlage j WHERE j.bericht = b.id) AS bijlagen
FROM bericht b JOIN afnemer a ON a.oin = b.oin
WHERE b.publiek_id = :'id' AND b.bsn = :'bsn' AND b.status = 1 AND b.zichtbaar_op <= now();
\echo '### 5. unread count'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT count(*) FROM bericht b WHERE b.bsn = :'bsn' AND b.status = 1 AND b.map = 'inbox' AND NOT b.gelezen AND b.zichtbaar_op <= now();
\echo '### 6. attachment chunk'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT substring(inhoud FROM 1 FOR 131072) FROM bijlage WHERE bericht = (SELECT id FROM bericht WHERE publiek_id = :'id') AND volgorde = 1;
