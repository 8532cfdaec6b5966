package nl.berichtenbox.engine.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fills an empty store for load tests: afnemers with known keys ({@code bbx_seed_<oin>}), citizens
 * with active boxes that accept every afnemer, and delivered messages spread over a year, 95 %
 * with a PDF attachment. Set-based SQL (INSERT ... SELECT over generate_series) with the big
 * indexes dropped during the load and rebuilt after: a million messages take a few minutes.
 * Citizens' BSNs are the first N valid ones from 100000000 upwards, so a load generator can
 * compute them too ({@link #bsns(int)}).
 */
public final class Seeder {
  private Seeder() {}

  /** The first n seeded BSNs, in order: 8 digits from 10000000 upwards, the elfproef check digit last. */
  public static String[] bsns(int n) {
    String[] out = new String[n];
    int found = 0;
    for (int k = 10_000_000; found < n; k++) {
      int sum = 0;
      int x = k;
      for (int w = 2; w <= 9; w++) {
        sum += (x % 10) * w;
        x /= 10;
      }
      int c = sum % 11;
      if (c < 10) {
        out[found++] = k + Integer.toString(c);
      }
    }
    return out;
  }

  static void seed(
      Connection c, int afnemers, int burgers, int berichten, Consumer<String> progress)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET synchronous_commit = off"); // a seed is re-run, not recovered
      s.execute("SET maintenance_work_mem = '512MB'");
      long t0 = System.nanoTime();
      run(s, progress, "afnemers", """
          INSERT INTO afnemer (oin, naam, api_sleutel_sha256)
          SELECT lpad((900000000000 + i)::text, 20, '0'),
                 (ARRAY['Belastingdienst','RDW','Gemeente','UWV','SVB','DUO','CJIB','Waterschap'])[1 + i %% 8] || ' ' || i,
                 sha256(convert_to('bbx_seed_' || lpad((900000000000 + i)::text, 20, '0'), 'UTF8'))
          FROM generate_series(1, %d) i ON CONFLICT DO NOTHING""".formatted(afnemers));
      run(s, progress, "berichttypen", """
          INSERT INTO bericht_type (oin, code, omschrijving, actief)
          SELECT oin, 'ALG', 'Algemeen', true FROM afnemer WHERE oin LIKE '00000000900%' ON CONFLICT DO NOTHING""");
      run(s, progress, "burgers", """
          CREATE TEMP TABLE seed_bsn AS
          SELECT row_number() OVER (ORDER BY k) - 1 AS n, k::text || c::text AS bsn
          FROM (SELECT k, (SELECT sum(substr(k::text, j, 1)::int * (10 - j)) FROM generate_series(1, 8) j) %% 11 AS c
                FROM generate_series(10000000, 10000000 + %d) k) x
          WHERE c < 10 ORDER BY k LIMIT %d""".formatted(burgers + burgers / 5 + 100, burgers));
      run(s, progress, "berichtenboxen", """
          INSERT INTO berichtenbox (bsn, actief, email, notificaties_aan)
          SELECT bsn, true, 'burger' || n || '@example.nl', n % 2 = 0 FROM seed_bsn ON CONFLICT DO NOTHING""");
      // every citizen accepts three afnemers, and the first afnemer (a Belastingdienst) is accepted
      // by all: the Abonnementservice's ALLES then has one afnemer with every citizen
      run(s, progress, "voorkeuren", """
          INSERT INTO voorkeur (bsn, oin, berichten_ontvangen)
          SELECT b.bsn, lpad((900000000000 + 2 + (b.n + k) %% %d)::text, 20, '0'), true
          FROM seed_bsn b CROSS JOIN generate_series(0, 2) k
          UNION ALL
          SELECT b.bsn, lpad('900000000001', 20, '0'), true FROM seed_bsn b
          ON CONFLICT DO NOTHING""".formatted(Math.max(1, afnemers - 1)));
      // the partial indexes are built after the rows (far faster than kept up row by row), each as
      // the migrations define it: read from the catalog, so there is one definition of each
      List<String[]> dropped = new ArrayList<>();
      try (var r = s.executeQuery("""
          SELECT i.indexname, i.indexdef FROM pg_indexes i
          WHERE i.schemaname = current_schema() AND i.tablename = 'bericht'
            AND i.indexname IN ('bericht_box_lijst', 'bericht_box_ongelezen', 'bericht_te_verwerken',
                                'bericht_batch_open', 'bericht_herinnering')""")) {
        while (r.next()) {
          dropped.add(new String[] {r.getString(1), r.getString(2)});
        }
      }
      for (String[] idx : dropped) {
        s.execute("DROP INDEX " + idx[0]);
      }
      run(s, progress, berichten + " berichten", """
          INSERT INTO bericht (oin, bericht_id, bsn, bericht_type, onderwerp, bericht_tekst, referentie,
                               aantal_bijlagen, digest, status, verwerkings_code, ontvangen_op, verwerkt_op,
                               map, gelezen, publiek_id, zichtbaar_op, herinnerd_op)
          SELECT a.oin, gen_random_uuid(), b.bsn, 'ALG', o.onderwerp,
                 repeat('Geachte heer/mevrouw, in deze brief leest u meer over uw zaak. ', 15),
                 CASE WHEN i %% 3 = 0 THEN 'REF-' || i END,
                 CASE WHEN i %% 20 = 0 THEN 0 ELSE 1 END,
                 sha256(convert_to(i::text, 'UTF8')), 1, 'Verwerkt', t.t, t.t,
                 CASE WHEN i %% 20 = 1 THEN 'prullenbak' WHEN i %% 7 = 2 THEN 'archief' ELSE 'inbox' END,
                 i %% 10 < 7, gen_random_uuid(), t.t,
                 -- seeded history older than the reminder period had its reminder then
                 CASE WHEN t.t < now() - interval '21 days' THEN t.t + interval '21 days' END
          FROM generate_series(0, %d - 1) i
          JOIN seed_bsn b ON b.n = i %% %d
          CROSS JOIN LATERAL (SELECT oin, naam FROM afnemer WHERE oin = lpad((900000000000 + 1 + (i %% %d))::text, 20, '0')) a
          CROSS JOIN LATERAL (SELECT (ARRAY['Voorlopige aanslag inkomstenbelasting','Uw WOZ-beschikking',
                 'Parkeervergunning verlengen','Herinnering betaling','Besluit op uw aanvraag',
                 'Wijziging toeslag','Uw kenteken','Studiefinanciering'])[1 + i %% 8] || ' ' || (2000 + i %% 27) AS onderwerp) o
          CROSS JOIN LATERAL (SELECT now() - ((i::bigint * 7919) %% 31536000) * interval '1 second' AS t) t""".formatted(berichten, burgers, afnemers));
      run(s, progress, "bijlagen", """
          INSERT INTO bijlage (bericht, volgorde, omschrijving, media_type, inhoud)
          SELECT id, 1, 'Brief ' || id || '.pdf', 'application/pdf',
                 convert_to('%PDF-1.4' || repeat(' seed-pdf-content', 120), 'UTF8')
          FROM bericht WHERE aantal_bijlagen = 1 AND oin LIKE '00000000900%'""");
      for (String[] idx : dropped) {
        run(s, progress, "index " + idx[0], idx[1]);
      }
      run(s, progress, "vacuum analyze", "VACUUM ANALYZE");
      s.execute("CHECKPOINT");
      progress.accept(String.format("seeded in %.1f s", (System.nanoTime() - t0) / 1e9));
    }
  }

  private static void run(Statement s, Consumer<String> progress, String what, String sql)
      throws SQLException {
    long t = System.nanoTime();
    s.execute(sql);
    progress.accept(String.format("  %-32s %6.1f s", what, (System.nanoTime() - t) / 1e9));
  }
}
