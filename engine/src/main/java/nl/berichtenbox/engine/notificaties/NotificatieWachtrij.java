package nl.berichtenbox.engine.notificaties;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import nl.berichtenbox.engine.berichtenbox.Gebeurtenissen;

/**
 * The notification queue (tables {@code notificatie} and {@code notificatie_gepland}): the one
 * place that says who wants e-mail and how an e-mail is queued. Three writers queue: processing
 * (a message visible now, its SQL inside the round's statement), messages whose publicatieDatum
 * has come ({@link #nuZichtbaar}) and reminders ({@link #herinneringen}). Each queues one e-mail
 * per citizen and kind, or joins the citizen's e-mail of that kind that still waits untried, in the
 * order given; every caller holds the processing lock, so queue ids commit in that order. The
 * {@link Notifier} sends what is queued.
 */
public final class NotificatieWachtrij {
  private NotificatieWachtrij() {}

  /** The citizen wants e-mail: an active box, notifications on, an address. Over {@code berichtenbox bb}. */
  public static final String WIL_EMAIL =
      "(bb.actief AND bb.notificaties_aan AND bb.email IS NOT NULL)";

  /** Kinds of e-mail (column {@code soort}): new messages, and unread ones ({@link Email.Soort}). */
  public static final int NIEUW = 0;

  public static final int HERINNERING = 1;

  /** A kind's name on the notification topic (docs/api-guide.md): {@code NIEUW_BERICHT} or {@code HERINNERING}. */
  public static String soortNaam(int soort) {
    return switch (soort) {
      case NIEUW -> "NIEUW_BERICHT";
      case HERINNERING -> "HERINNERING";
      default ->
        throw new IllegalStateException("notificatie.soort " + soort + " is no kind of e-mail");
    };
  }

  /**
   * The statement that queues an e-mail per row of {@code select}, which yields {@code bsn, soort,
   * aantal, niet_voor, traceparent} in queue order; one row returned per e-mail queued or joined.
   */
  public static String inWachtrij(String select) {
    return "INSERT INTO notificatie AS n (bsn, soort, aantal, niet_voor, traceparent)\n" + select
        + """

        ON CONFLICT (bsn, soort) WHERE status = 0 AND pogingen = 0 DO UPDATE SET aantal = n.aantal + EXCLUDED.aantal
        RETURNING 1""";
  }

  /**
   * When an e-mail of new messages may go: now, or once the bundling window ({@code vensterMs},
   * a parameter in milliseconds) has passed since the last e-mail ({@code laatste}).
   */
  public static String nietVoor(String laatste, String vensterMs) {
    return "greatest(now(), max(" + laatste + ") + " + vensterMs + " * interval '1 millisecond')";
  }

  /**
   * Delivered messages ({@code select} yields {@code bericht, bsn, zichtbaar_op}) that wait for
   * their publicatieDatum: {@link #nuZichtbaar} queues their e-mail then, and announces them to a
   * citizen who follows the box (live updates).
   */
  public static String gepland(String select) {
    return "INSERT INTO notificatie_gepland (bericht, bsn, zichtbaar_op)\n" + select
        + "\nRETURNING 1";
  }

  /** Queued per call of {@link #nuZichtbaar} and {@link #herinneringen} at most; the callers call again. */
  public static final int PER_KEER = 10_000;

  private static final String ZICHTBAAR_IETS =
      "SELECT EXISTS (SELECT 1 FROM notificatie_gepland WHERE zichtbaar_op <= now())";

  private static final String NU_ZICHTBAAR = """
      WITH g AS (
        DELETE FROM notificatie_gepland WHERE bericht IN (
          SELECT bericht FROM notificatie_gepland WHERE zichtbaar_op <= now() ORDER BY zichtbaar_op LIMIT %d)
        RETURNING bericht, bsn, zichtbaar_op
      ), q AS (
        %s
      ), e AS (
        -- visible now for a citizen who follows the box: an event for the live updates (§7.2)
        INSERT INTO box_gebeurtenis (bsn, soort, bericht)
        SELECT g.bsn, 'bericht', g.bericht FROM g JOIN box_volger v ON v.bsn = g.bsn AND v.tot > now()
        RETURNING bsn
      )
      SELECT (SELECT count(*) FROM g) AS berichten, (SELECT count(*) FROM q) AS notificaties,
             %s AS gemeld""".formatted(
          PER_KEER,
          inWachtrij("""
          SELECT g.bsn, %d, count(*), %s, (array_agg(b.traceparent ORDER BY g.zichtbaar_op, g.bericht))[1]
          FROM g JOIN berichtenbox bb ON bb.bsn = g.bsn JOIN bericht b ON b.id = g.bericht
          WHERE %s
          GROUP BY g.bsn ORDER BY min(g.zichtbaar_op), min(g.bericht)""".formatted(NIEUW, nietVoor("bb.laatste_notificatie_op", "$1"), WIL_EMAIL)),
          Gebeurtenissen.meld("e"));

  private static final String HERINNERINGEN =
      """
      WITH r AS (
        SELECT id FROM bericht
        WHERE status = 1 AND NOT gelezen AND herinnerd_op IS NULL AND map IN ('inbox', 'archief')
          AND zichtbaar_op <= $1::timestamptz - $2 * interval '1 second'
        ORDER BY zichtbaar_op LIMIT %d
        FOR UPDATE SKIP LOCKED
      ), m AS (
        UPDATE bericht b SET herinnerd_op = $1::timestamptz FROM r WHERE b.id = r.id RETURNING b.id, b.bsn
      ), q AS (
        %s
      )
      SELECT (SELECT count(*) FROM m) AS berichten, (SELECT count(*) FROM q) AS notificaties""".formatted(PER_KEER, inWachtrij("""
          SELECT m.bsn, %d, count(*), $1::timestamptz, NULL FROM m JOIN berichtenbox bb ON bb.bsn = m.bsn
          WHERE %s
          GROUP BY m.bsn ORDER BY min(m.id)""".formatted(HERINNERING, WIL_EMAIL)));

  /** What a queueing call did: messages it took, e-mails it queued or joined. */
  public record Gequeued(long berichten, long notificaties) {}

  /** Whether a message's publicatieDatum has come and its e-mail waits (an index probe, no lock). */
  public static Future<Boolean> ietsZichtbaar(SqlClient client) {
    return client
        .preparedQuery(ZICHTBAAR_IETS)
        .execute()
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /**
   * Queues the e-mails of messages whose publicatieDatum has come, in the order they became
   * visible. {@code conn} holds the processing lock.
   */
  public static Future<Gequeued> nuZichtbaar(SqlConnection conn, long bundleWindowMs) {
    return conn.preparedQuery(NU_ZICHTBAAR)
        .execute(Tuple.of(bundleWindowMs))
        .map(NotificatieWachtrij::gequeued);
  }

  /**
   * Queues the reminders due at {@code nu}: one e-mail per citizen for their messages unread for
   * {@code naSeconden}, each message once. {@code conn} holds the processing lock.
   */
  public static Future<Gequeued> herinneringen(SqlConnection conn, Instant nu, long naSeconden) {
    return conn.preparedQuery(HERINNERINGEN)
        .execute(Tuple.of(nu.atOffset(ZoneOffset.UTC), naSeconden))
        .map(NotificatieWachtrij::gequeued);
  }

  private static Gequeued gequeued(RowSet<Row> rows) {
    Row r = rows.iterator().next();
    return new Gequeued(r.getLong("berichten"), r.getLong("notificaties"));
  }
}
