package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.testing.TestClock;
import org.junit.jupiter.api.Test;

/**
 * The throttle, exactly, with two notifier instances: two engines on one database of their own
 * and a stopped clock the test moves (so the token bucket fills only when the test says), 150
 * e-mails queued, limits 3 600 an hour (one a second, a bucket of 60) and 100 a day.
 */
class NotificatieThrottleIT {
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");

  @Test
  void twoNotifiersTogetherKeepThePaceTheHourAndTheDayExactlyAndSendNothingTwice()
      throws Exception {
    TestClock klok = new TestClock();
    LocalDate morgen = LocalDate.now(AMSTERDAM).plusDays(1);
    Instant half11 = morgen.atTime(LocalTime.of(10, 30)).atZone(AMSTERDAM).toInstant();
    klok.stopAt(half11);
    try (TestSmtp smtp = new TestSmtp()) {
      Map<String, String> a = new HashMap<>(Map.of(
          "BERICHTENBOX_SMTP_URL", smtp.url(),
          "BERICHTENBOX_SMTP_CONNECTIONS", "4",
          "BERICHTENBOX_NOTIFICATIES_PER_UUR", "3600",
          "BERICHTENBOX_NOTIFICATIES_PER_DAG", "100"));
      var configA = TestEngine.engineOnNewDatabase("notificatie_throttle", a);
      try (ApiServer engineA = ApiServer.start(configA, klok)) {
        Map<String, String> b = new HashMap<>(a);
        b.put("BERICHTENBOX_DB_URL", configA.dbUrl());
        try (ApiServer engineB = ApiServer.start(TestEngine.secondEngine(b), klok)) {
          Api api = new Api(
              "http://127.0.0.1:" + engineA.port(), new CitizenJwt(TestEngine.JWT_SECRET), klok);
          Api.Afnemer afnemer = api.newAfnemer();
          List<String> adressen = new ArrayList<>();
          JsonArray berichten = new JsonArray();
          for (int i = 0; i < 150; i++) {
            String adres = "limiet-" + UUID.randomUUID() + "@burger.test";
            adressen.add(adres);
            berichten.add(Api.bericht(api.newBurger(adres, true, afnemer)));
          }
          api.post("/api/v1/batches", afnemer.key(), Api.batch(berichten)).expect(202);

          verwacht(smtp, 60, "a full bucket: one minute's worth", engineA, engineB);
          klok.stopAt(half11.plusSeconds(10));
          verwacht(smtp, 70, "ten seconds later: ten more", engineA, engineB);
          // the hour has seen 3 595 already (say, by other processes): five more, though the bucket
          // is full again
          engineA
              .engine()
              .pool()
              .query("UPDATE notificatie_throttle SET uur_aantal = 3595")
              .execute()
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
          klok.stopAt(half11.plusSeconds(70));
          verwacht(smtp, 75, "the hourly limit", engineA, engineB);
          klok.stopAt(half11.plusSeconds(3_600));
          verwacht(smtp, 100, "a new hour, but the day's limit of 100", engineA, engineB);
          klok.stopAt(half11.plusSeconds(86_400));
          verwacht(smtp, 150, "the next day: the rest", engineA, engineB);

          Map<String, Long> perAdres = smtp.ontvangen.stream()
              .collect(Collectors.groupingBy(TestSmtp.Mail::aan, Collectors.counting()));
          assertEquals(
              adressen.stream().collect(Collectors.toMap(Function.identity(), x -> 1L)),
              perAdres,
              "every citizen exactly one e-mail");
          long doorA = engineA.engine().metrics().notificatiesVerzonden.sum();
          long doorB = engineB.engine().metrics().notificatiesVerzonden.sum();
          assertEquals(150, doorA + doorB, "sent by A " + doorA + " and by B " + doorB);
        }
      }
    }
  }

  /** Waits for {@code n} e-mails, then makes sure no more come while both notifiers look again. */
  private static void verwacht(TestSmtp smtp, int n, String waarom, ApiServer... engines) {
    await(n + " e-mails (" + waarom + ")", () -> smtp.ontvangen.size() >= n);
    Api.awaitRounds(
        "both notifiers looking again",
        Arrays.stream(engines)
            .map(e -> (LongSupplier) e.engine().notifier()::rounds)
            .toList());
    assertEquals(n, smtp.ontvangen.size(), waarom);
  }
}
