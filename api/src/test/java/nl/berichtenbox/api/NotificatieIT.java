package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.testing.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Notifications (contract §3, issue 6) against a real SMTP server in the test: the e-mail and what
 * it must not hold, bundling, order of arrival, a temporary and a permanent SMTP failure, a
 * message published later, the reminder (with a clock the test moves), and the {@code .eml}
 * files of the embedded default. The engine has a database of its own, so its queue holds only
 * this test's e-mails.
 */
class NotificatieIT {
  private static final Duration VENSTER = Duration.ofSeconds(2);
  private static TestSmtp smtp;
  private static TestClock klok;
  private static ApiServer server;
  private static Api api;
  private static Api.Afnemer afnemer;

  @BeforeAll
  static void start() throws Exception {
    smtp = new TestSmtp();
    klok = new TestClock();
    var config = TestEngine.engineOnNewDatabase(
        "notificaties",
        Map.of(
            "BERICHTENBOX_SMTP_URL", smtp.url(),
            "BERICHTENBOX_SMTP_CONNECTIONS", "1",
            "BERICHTENBOX_NOTIFICATIE_BUNDLE_WINDOW", "PT2S",
            "BERICHTENBOX_NOTIFICATIE_BACKOFF_BASE", "PT0.2S",
            "BERICHTENBOX_NOTIFICATIE_BACKOFF_MAX", "PT0.5S",
            "BERICHTENBOX_PORTAL_URL", "https://portaal.test/berichtenbox"));
    server = ApiServer.start(config, klok);
    api = new Api("http://127.0.0.1:" + server.port(), new CitizenJwt(TestEngine.JWT_SECRET), klok);
    afnemer = api.newAfnemer();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (smtp != null) {
      smtp.close();
    }
  }

  @AfterEach
  void klokTerug() {
    klok.shift(Duration.ZERO);
  }

  /** A citizen accepting the afnemer, with the given e-mail address and notifications on or off. */
  private String burger(String email, boolean aan) {
    return api.newBurger(email, aan, afnemer);
  }

  private static String adres(String soort) {
    return soort + "-" + UUID.randomUUID() + "@burger.test";
  }

  private String stuur(String bsn) {
    JsonObject m = Api.bericht(bsn);
    api.post("/api/v1/berichten", afnemer.key(), m).expect(202);
    return m.getString("berichtId");
  }

  private static List<TestSmtp.Mail> wachtOp(String adres, int aantal) {
    await(aantal + " e-mail(s) to " + adres, () -> smtp.aan(adres).size() >= aantal);
    return smtp.aan(adres);
  }

  @Test
  void aDeliveredMessageSendsAnEMailWithoutItsContentAndLaterMessagesWaitForTheWindowInOneEMail()
      throws Exception {
    String email = adres("burger");
    String bsn = burger(email, true);
    stuur(bsn);
    TestSmtp.Mail eerste = wachtOp(email, 1).get(0);
    assertEquals("U heeft nieuwe post in uw Berichtenbox", eerste.onderwerp());
    assertTrue(eerste.tekst().contains("Er staat een nieuw bericht voor u klaar"), eerste.tekst());
    assertTrue(eerste.tekst().contains("https://portaal.test/berichtenbox"));
    assertTrue(
        eerste.html().contains("<a href=\"https://portaal.test/berichtenbox\">"), eerste.html());
    assertTrue(
        eerste.raw().contains("From: MijnOverheid Berichtenbox <noreply@berichtenbox.example>"),
        eerste.raw());
    assertFalse(eerste.raw().contains(bsn), "no BSN in the e-mail");
    assertFalse(eerste.raw().contains("Uw aanslag"), "no message subject in the e-mail");
    assertFalse(eerste.raw().contains("Zie de bijlage"), "no message text in the e-mail");

    // three more right after the first e-mail: they join one queued e-mail, sent when the window
    // ends
    for (int i = 0; i < 3; i++) {
      stuur(bsn);
    }
    TestSmtp.Mail tweede = wachtOp(email, 2).get(1);
    assertTrue(tweede.tekst().contains("Er staan 3 nieuwe berichten"), tweede.tekst());
    assertTrue(
        Duration.between(eerste.op(), tweede.op()).compareTo(VENSTER.minusMillis(100)) >= 0,
        "the bundle waited out the window: " + Duration.between(eerste.op(), tweede.op()));
    Api.awaitRounds("the notifier looking again", server.engine().notifier()::rounds);
    assertEquals(2, smtp.aan(email).size(), "four messages, two e-mails");
  }

  @Test
  void eMailsGoInOrderOfArrivalAndOnlyToCitizensWhoWantThem() {
    String uit = adres("uit");
    String zonderBox = burger(uit, false);
    stuur(zonderBox);
    List<String> adressen = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String a = adres("volgorde");
      adressen.add(a);
      stuur(burger(a, true));
    }
    await("all eight e-mails", () -> adressen.stream().allMatch(a -> smtp.aan(a).size() == 1));
    List<String> ontvangen = smtp.ontvangen.stream()
        .map(TestSmtp.Mail::aan)
        .filter(adressen::contains)
        .toList();
    assertEquals(adressen, ontvangen, "received in the order the messages arrived");
    List<Long> nummers =
        adressen.stream().map(a -> smtp.aan(a).get(0).notificatie()).toList();
    assertEquals(nummers.stream().sorted().toList(), nummers, "queued in order of arrival");
    assertEquals(List.of(), smtp.aan(uit), "notificatiesAan false: no e-mail");
    assertEquals(null, smtp.pogingen.get(uit));
  }

  @Test
  void aTemporarySmtpFailureIsRetriedAndAPermanentOneIsRecordedAndCounted() throws Exception {
    String tijdelijk = adres("tijdelijk");
    String permanent = adres("permanent");
    stuur(burger(permanent, true));
    stuur(burger(tijdelijk, true));
    wachtOp(tijdelijk, 1);
    assertEquals(3, smtp.pogingen.get(tijdelijk).get(), "two 451s, then accepted");
    Api.awaitRounds("the notifier looking again", server.engine().notifier()::rounds);
    assertEquals(1, smtp.aan(tijdelijk).size(), "sent once");
    assertEquals(1, smtp.pogingen.get(permanent).get(), "a 550 is not retried");
    assertEquals(List.of(), smtp.aan(permanent));
    Row r = one(
        "SELECT status, pogingen, fout FROM notificatie n JOIN berichtenbox b ON b.bsn = n.bsn WHERE b.email = $1",
        permanent);
    assertEquals(3, r.getInteger("status"), "recorded as failed for good");
    assertTrue(r.getString("fout").contains("550"), r.getString("fout"));
    assertFalse(
        r.getString("fout").contains(permanent),
        "the address is not kept with the error: " + r.getString("fout"));
    String metrics = api.get("/metrics", null).expect(200).raw().body();
    assertTrue(metrics.matches("(?s).*berichtenbox_notificaties_mislukt_total [1-9].*"), metrics);
    assertTrue(
        metrics.matches("(?s).*berichtenbox_notificaties_poging_mislukt_total [2-9].*"), metrics);
    assertTrue(metrics.matches("(?s).*berichtenbox_notificaties_verzonden_total [1-9].*"), metrics);
    assertTrue(metrics.contains("berichtenbox_notificaties_wachtend "), metrics);
    assertTrue(metrics.contains("berichtenbox_notificatie_oudste_wachtend_seconds "), metrics);
  }

  @Test
  void aMessagePublishedLaterIsNotifiedWhenItBecomesVisible() {
    String email = adres("later");
    String bsn = burger(email, true);
    Instant publicatie = Instant.now().plusSeconds(3);
    JsonObject m = Api.bericht(bsn).put("publicatieDatum", publicatie.toString());
    api.post("/api/v1/berichten", afnemer.key(), m).expect(202);
    api.awaitStatus(afnemer, m.getString("berichtId"), "AFGELEVERD");
    TestSmtp.Mail mail = wachtOp(email, 1).get(0);
    assertFalse(
        mail.op().isBefore(publicatie),
        "not before the publicatieDatum: " + mail.op() + " < " + publicatie);
  }

  @Test
  void aMessageUnreadForThreeWeeksGetsOneReminderAndAReadOneNone() throws Exception {
    String email = adres("herinnering");
    String bsn = burger(email, true);
    String gelezenEmail = adres("gelezen");
    String lezer = burger(gelezenEmail, true);
    stuur(bsn);
    stuur(bsn);
    stuur(lezer);
    wachtOp(gelezenEmail, 1);
    await(
        "the new-mail e-mails",
        () -> smtp.aan(email).size() == 1
                && smtp.aan(email).get(0).tekst().contains("2 nieuwe berichten")
            || smtp.aan(email).size() == 2);
    int voor = smtp.aan(email).size();
    String tok = api.burgerToken(lezer);
    JsonArray lijst =
        api.get("/api/v1/berichtenbox/berichten", tok).expect(200).json().getJsonArray("berichten");
    api.send(
            "PATCH",
            "/api/v1/berichtenbox/berichten/" + lijst.getJsonObject(0).getString("id"),
            tok,
            "application/merge-patch+json",
            "{\"gelezen\":true}")
        .expect(200);

    assertEquals(0L, herinneringen(), "nothing is three weeks old yet");
    klok.shift(Duration.ofDays(21).plusMinutes(1));
    assertTrue(herinneringen() >= 2, "both unread messages reminded");
    TestSmtp.Mail herinnering = wachtOp(email, voor + 1).get(voor);
    assertEquals("Herinnering: ongelezen post in uw Berichtenbox", herinnering.onderwerp());
    assertTrue(
        herinnering.tekst().contains("2 berichten die u nog niet heeft gelezen"),
        herinnering.tekst());
    klok.shift(Duration.ofDays(30));
    assertEquals(0L, herinneringen(), "once per message");
    Api.awaitRounds("the notifier looking again", server.engine().notifier()::rounds);
    assertEquals(voor + 1, smtp.aan(email).size());
    assertEquals(1, smtp.aan(gelezenEmail).size(), "a read message gets no reminder");
  }

  @Test
  void withoutAnSmtpServerTheEmbeddedDefaultWritesEmlFiles() throws Exception {
    Api main = TestEngine.api();
    Api.Afnemer a = main.newAfnemer();
    String email = adres("eml");
    String bsn = main.newBurger(email, true, a);
    main.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
    Path dir = TestEngine.server().engine().config().dataDir().resolve("mail");
    await("an .eml file for " + email, () -> eml(dir, email) != null);
    String eml = eml(dir, email);
    assertTrue(eml.contains("Subject: U heeft nieuwe post in uw Berichtenbox"), eml);
    assertTrue(eml.contains("text/html"), eml);
    assertFalse(eml.contains(bsn));
  }

  private static String eml(Path dir, String email) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
        String s = Files.readString(p);
        if (s.contains(email)) {
          return s;
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static long herinneringen() throws Exception {
    return server
        .engine()
        .notifier()
        .herinneringen()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static Row one(String sql, Object param) throws Exception {
    return server
        .engine()
        .pool()
        .preparedQuery(sql)
        .execute(Tuple.of(param))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .iterator()
        .next();
  }
}
