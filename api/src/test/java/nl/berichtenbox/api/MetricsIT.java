package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, metrics: latencies are Prometheus histograms (buckets that add up across processes),
 * per face and route template, never per raw path; the pool, the JVM and the event loops are
 * measured; the names keep Prometheus' conventions.
 */
class MetricsIT {
  private final Api api = TestEngine.api();

  @Test
  void answerTimesAreHistogramsPerRouteTemplate() {
    Api.Afnemer a = api.newAfnemer();
    String tok = api.burgerToken(api.newBurger(a));
    String[] lijst = {
      "face", "burger", "method", "GET", "route", "/api/v1/berichtenbox/berichten", "status", "2xx"
    };
    String[] status = {
      "face", "afnemer", "method", "GET", "route", "/api/v1/berichten/{berichtId}", "status", "4xx"
    };
    Metrieken voor = Metrieken.van(api);
    for (int i = 0; i < 5; i++) {
      api.get("/api/v1/berichtenbox/berichten", tok).expect(200);
    }
    String id = UUID.randomUUID().toString();
    api.get("/api/v1/berichten/" + id, a.key()).expect(404);
    api.get("/api/v1/bestaat-niet-" + id, a.key()).expect(404);
    Metrieken na = Metrieken.van(api);

    assertEquals("histogram", na.type("berichtenbox_http_server_seconds"));
    assertEquals(
        5,
        na.som("berichtenbox_http_server_seconds_count", lijst)
            - voor.som("berichtenbox_http_server_seconds_count", lijst));
    assertEquals(
        1,
        na.som("berichtenbox_http_server_seconds_count", status)
            - voor.som("berichtenbox_http_server_seconds_count", status));
    // a path no route has counts under its face, not under its own path
    assertTrue(na.som(
            "berichtenbox_http_server_seconds_count",
            "face",
            "afnemer",
            "route",
            "(geen route)",
            "status",
            "4xx")
        >= 1);
    assertFalse(na.tekst.contains(id), "a raw path (here a message id) is never a label");

    // buckets: cumulative, the agreement's bounds among them, +Inf equal to the count
    List<Metrieken.Monster> emmers = na.van("berichtenbox_http_server_seconds_bucket", lijst);
    assertTrue(emmers.size() >= 10, emmers.toString());
    for (int i = 1; i < emmers.size(); i++) {
      assertTrue(emmers.get(i).waarde() >= emmers.get(i - 1).waarde(), "cumulative: " + emmers);
    }
    assertTrue(
        emmers.stream().anyMatch(m -> m.labels().get("le").equals("0.005")),
        "the 5 ms target is a bound");
    assertTrue(
        emmers.stream().anyMatch(m -> m.labels().get("le").equals("0.2")),
        "the 200 ms norm is a bound");
    assertEquals(
        na.som("berichtenbox_http_server_seconds_count", lijst),
        na.van("berichtenbox_http_server_seconds_bucket", lijst).stream()
            .filter(m -> m.labels().get("le").equals("+Inf"))
            .findFirst()
            .orElseThrow()
            .waarde());
    assertTrue(na.som("berichtenbox_http_server_seconds_sum", lijst) > 0);
    // the agreement's presentation time is the burger face over its routes (kept once, not twice)
    assertTrue(na.som("berichtenbox_http_server_seconds_count", "face", "burger")
        >= voor.som("berichtenbox_http_server_seconds_count", "face", "burger") + 5);
    assertEquals(
        null,
        na.type("berichtenbox_presentatie_seconds"),
        "not a second histogram of the same requests");
  }

  @Test
  void intakeAndProcessingAreMeasured() {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    Metrieken voor = Metrieken.van(api);
    api.stuurBatches(a, bsn, 1, 3); // waits for the receipts
    Metrieken na = Metrieken.van(api);
    assertTrue(na.som("berichtenbox_intake_commit_grootte_count")
        > voor.som("berichtenbox_intake_commit_grootte_count"));
    assertTrue(na.som("berichtenbox_intake_commit_grootte_sum")
        >= voor.som("berichtenbox_intake_commit_grootte_sum") + 3);
    assertTrue(na.som("berichtenbox_intake_commit_wacht_seconds_count")
        > voor.som("berichtenbox_intake_commit_wacht_seconds_count"));
    assertTrue(na.som("berichtenbox_intake_commit_seconds_count")
        > voor.som("berichtenbox_intake_commit_seconds_count"));
    assertTrue(na.som("berichtenbox_verwerkingsduur_seconds_count")
        >= voor.som("berichtenbox_verwerkingsduur_seconds_count") + 3);
    assertEquals("histogram", na.type("berichtenbox_verwerkingsduur_seconds"));
    assertTrue(na.som("berichtenbox_berichten_geparkeerd_total")
        >= voor.som("berichtenbox_berichten_geparkeerd_total") + 3);
    assertEquals("counter", na.type("berichtenbox_berichten_geparkeerd_total"));
  }

  /**
   * The request pool is chosen by the calling thread (SplitPool), so it holds only if the HTTP
   * verticle marks its event loop at start: without that every portal query would go to the
   * background pool, unnoticed by any other test.
   */
  @Test
  void portalRequestsQueryTheRequestPool() {
    Api.Afnemer a = api.newAfnemer();
    String tok = api.burgerToken(api.newBurger(a));
    String[] verzoeken = {"type", "sql", "pool", "postgresql"};
    Metrieken voor = Metrieken.van(api);
    for (int i = 0; i < 5; i++) {
      api.get("/api/v1/berichtenbox/berichten", tok).expect(200);
    }
    Metrieken na = Metrieken.van(api);
    assertTrue(
        na.som("berichtenbox_pool_gebruik_seconds_count", verzoeken)
            >= voor.som("berichtenbox_pool_gebruik_seconds_count", verzoeken) + 5,
        "five portal requests, at least five uses of the request pool");
  }

  @Test
  void poolJvmAndEventLoopsAreMeasured() {
    Metrieken m = Metrieken.van(api);
    assertTrue(
        m.som("berichtenbox_pool_wacht_seconds_count", "type", "sql", "pool", "postgresql") > 0,
        "database pool waits");
    assertTrue(
        m.som("berichtenbox_pool_gebruik_seconds_count", "type", "sql", "pool", "postgresql") > 0,
        "database pool use");
    assertEquals(
        TestEngine.server().engine().config().dbPoolSize(),
        m.som("berichtenbox_pool_grootte", "type", "sql", "pool", "postgresql"));
    Api.await(
        "event-loop ticks",
        () -> Metrieken.van(api).som("berichtenbox_event_loop_vertraging_seconds_count") > 0);
    assertTrue(m.som("jvm_memory_used_bytes", "area", "heap") > 0);
    assertTrue(m.som("jvm_threads_live_threads") > 0);
    assertTrue(m.som("process_files_open_files") > 0, "file descriptors");
    assertTrue(m.som("berichtenbox_jvm_heap_max_bytes") > 0);
    assertTrue(
        m.som("process_cpu_seconds_total") > 0,
        "the process's CPU time, in seconds as Prometheus names it");
    // Prometheus' conventions: counters end in _total, times in _seconds, sizes in _bytes
    for (Metrieken.Monster s : m.monsters) {
      String n = s.naam();
      assertFalse(n.matches(".*_(ms|millis|ns|nanos|micros)(_.*)?"), "base units only: " + n);
    }
  }

  @Test
  void theBackgroundLoopsCountTheirRoundsEvenAfterAGarbageCollection() {
    // Micrometer holds a function counter's object weakly: a counter whose object nothing else held
    // went absent at the first collection (it did, in the engine processes of StadiaKillIT)
    System.gc();
    for (String loop : List.of("notificaties", "push")) {
      double eerst = Metrieken.van(api).som("berichtenbox_loop_rounds_total", "loop", loop);
      assertTrue(eerst > 0, loop + ": " + eerst);
      Api.await(
          loop + " turning on",
          () -> Metrieken.van(api).som("berichtenbox_loop_rounds_total", "loop", loop) > eerst);
    }
  }

  @Test
  void theAlertsGaugesComeFromTheHeartbeat() {
    // the alerts' measures: this process ready, nothing waiting long (the shared engine keeps up)
    Api.await("a heartbeat", () -> Metrieken.van(api).som("berichtenbox_gereed") == 1);
    Metrieken m = Metrieken.van(api);
    assertTrue(m.som("berichtenbox_processen_gereed") >= 1);
    assertTrue(
        m.som("berichtenbox_verwerking_oudste_wachtend_seconds") < 60, "processing keeps up");
    assertEquals(
        1,
        m.van("berichtenbox_abonnement_oudste_open_seconds").size(),
        "the Abonnementservice's age is exported");
    assertEquals(
        -1, m.som("berichtenbox_kafka_consument_achterstand"), "no Kafka on this engine: unknown");
  }
}
