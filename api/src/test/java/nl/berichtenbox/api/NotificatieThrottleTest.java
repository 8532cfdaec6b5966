package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import nl.berichtenbox.api.http.CitizenJwt;
import org.junit.jupiter.api.Test;

/**
 * The exact throttle and two notifier instances: two engines on one database of their own send
 * 150 queued e-mails under 60 an hour and 100 a day. With the clock set late in an hour (the
 * hour's allowance is then whole), exactly 60 go; an hour later the day's 100 is reached with 40
 * more; the next day the last 50. Every citizen gets exactly one e-mail, whichever engine sent it.
 */
class NotificatieThrottleTest {
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");

  @Test
  void twoNotifiersTogetherKeepTheHourlyAndDailyLimitExactlyAndSendNothingTwice() throws Exception {
    Map<String, String> instellingen = Map.of(
        "BERICHTENBOX_SMTP_VERBINDINGEN", "4",
        "BERICHTENBOX_NOTIFICATIES_PER_UUR", "60",
        "BERICHTENBOX_NOTIFICATIES_PER_DAG", "100");
    TestKlok klok = new TestKlok();
    LocalDate morgen = LocalDate.now(AMSTERDAM).plusDays(1);
    klok.zet(morgen.atTime(LocalTime.of(10, 59)).atZone(AMSTERDAM).toInstant());
    try (TestSmtp smtp = new TestSmtp()) {
      Map<String, String> a = new java.util.HashMap<>(instellingen);
      a.put("BERICHTENBOX_SMTP_URL", smtp.url());
      var configA = TestEngine.engineOnNewDatabase("notificatie_throttle", a);
      try (ApiServer engineA = ApiServer.start(configA, klok)) {
        Map<String, String> b = new java.util.HashMap<>(a);
        b.put("BERICHTENBOX_DB_URL", configA.dbUrl());
        var configB = TestEngine.secondEngine(b);
        try (ApiServer engineB = ApiServer.start(configB, klok)) {
          Api api = new Api("http://127.0.0.1:" + configA.httpPort(), new CitizenJwt(TestEngine.JWT_SECRET));
          Api.Afnemer afnemer = api.newAfnemer();
          List<String> adressen = new ArrayList<>();
          JsonArray berichten = new JsonArray();
          for (int i = 0; i < 150; i++) {
            String bsn = Api.newBsn();
            String tok = api.burgerToken(bsn);
            String adres = "limiet-" + UUID.randomUUID() + "@burger.test";
            adressen.add(adres);
            api.put("/api/v1/berichtenbox", tok, new JsonObject().put("email", adres).put("notificatiesAan", true))
                .expect(200);
            api.put("/api/v1/berichtenbox/voorkeuren/" + afnemer.oin(), tok,
                new JsonObject().put("berichtenOntvangen", true)).expect(200);
            berichten.add(Api.bericht(bsn));
          }
          api.post("/api/v1/batches", afnemer.key(), Api.batch(berichten)).expect(202);

          await("the hour's 60", () -> smtp.ontvangen.size() >= 60);
          Thread.sleep(3_000); // both notifiers poll every second: nothing more may go this hour
          assertEquals(60, smtp.ontvangen.size(), "hourly limit");

          klok.zet(morgen.atTime(LocalTime.of(11, 59)).atZone(AMSTERDAM).toInstant());
          await("the day's 100", () -> smtp.ontvangen.size() >= 100);
          Thread.sleep(3_000);
          assertEquals(100, smtp.ontvangen.size(), "daily limit");

          klok.zet(morgen.plusDays(1).atTime(LocalTime.of(11, 59)).atZone(AMSTERDAM).toInstant());
          await("all 150", () -> smtp.ontvangen.size() >= 150);
          Thread.sleep(2_000);
          Map<String, Long> perAdres = smtp.ontvangen.stream()
              .collect(Collectors.groupingBy(TestSmtp.Mail::aan, Collectors.counting()));
          assertEquals(150, smtp.ontvangen.size());
          assertEquals(adressen.stream().collect(Collectors.toMap(Function.identity(), x -> 1L)), perAdres,
              "every citizen exactly one e-mail");
          long doorA = engineA.engine().metrics().notificatiesVerzonden.sum();
          long doorB = engineB.engine().metrics().notificatiesVerzonden.sum();
          assertEquals(150, doorA + doorB, "sent by A " + doorA + " and by B " + doorB);
        }
      }
    }
  }
}
