package nl.berichtenbox.loadtest.gatling;

import com.sun.management.OperatingSystemMXBean;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The suite's summary: reads what the simulations and the notification scenario wrote, prints a
 * table of norm / target / measured / pass, and writes {@code summary.json}, {@code summary.md}
 * and an SVG plot per series (latency percentiles and throughput per second).
 *
 * <pre>java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.gatling.Samenvatting RESULTS SMOKE</pre>
 */
public final class Samenvatting {
  /**
   * One norm. {@code grens}: PostgreSQL's own rate for the same rows or query on the same store
   * ({@code Limiet}), where one applies; {@code verhouding}: the engine's figure as a share of it.
   */
  private record Rij(
      String norm,
      String afspraak,
      String doel,
      String gemeten,
      Boolean normGehaald,
      Boolean doelGehaald,
      String grens,
      String verhouding) {
    Rij(
        String norm,
        String afspraak,
        String doel,
        String gemeten,
        Boolean normGehaald,
        Boolean doelGehaald) {
      this(norm, afspraak, doel, gemeten, normGehaald, doelGehaald, "–", "–");
    }
  }

  /** The engine's rate as a share of PostgreSQL's own, or "–" without a limit run. */
  private static String deel(double engine, long grens) {
    return grens <= 0 ? "–" : String.format(Locale.ROOT, "%.0f %%", 100 * engine / grens);
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    boolean smoke = args.length > 1 && Boolean.parseBoolean(args[1]);
    List<Rij> rijen = new ArrayList<>();

    JsonObject limiet = lees(dir, "limiet");
    long rijenGrens = limiet == null ? 0 : limiet.getLong("insertRowsPerSecond");
    long paginaGrens = limiet == null ? 0 : limiet.getLong("pageQueriesPerSecond");
    String rijenTekst = rijenGrens <= 0
        ? "–"
        : String.format(Locale.ROOT, "%d rows/s (1 000-row inserts, 2 connections)", rijenGrens);
    JsonObject intake = lees(dir, "intake");
    if (intake != null) {
      JsonObject norm = intake.getJsonObject("intake 45/s", new JsonObject());
      JsonObject doel = intake.getJsonObject("intake 10000/s", new JsonObject());
      JsonObject cap = intake.getJsonObject("intake capaciteit", new JsonObject());
      double genomen = cap.getDouble("perSeconde", 0.0);
      rijen.add(new Rij(
          "messages accepted and parked per second",
          "45/s",
          "≥ 20 000/s durable; p99 ≤ 50 ms at 10 000/s",
          String.format(
              Locale.ROOT,
              "at %.0f/s: %d ok, %d failed, p99 %d ms; offered 10 000/s: %.0f/s taken, %d failed, "
                  + "p99 %d ms, p99.9 %d ms; capacity (64 senders, closed): %.0f/s, p99 %d ms",
              norm.getDouble("perSeconde", 0.0),
              norm.getLong("ok", 0L),
              norm.getLong("ko", 0L),
              norm.getLong("p99", 0L),
              doel.getDouble("perSeconde", 0.0),
              doel.getLong("ko", 0L),
              doel.getLong("p99", 0L),
              doel.getLong("p999", 0L),
              genomen,
              cap.getLong("p99", 0L)),
          norm.getLong("ko", 1L) == 0 && norm.getLong("ok", 0L) > 0,
          genomen >= 20_000 && doel.getLong("ko", 1L) == 0 && doel.getLong("p99", 999L) <= 50,
          rijenTekst,
          deel(genomen, rijenGrens)));
    }
    JsonObject verwerking = lees(dir, "verwerking-intake");
    if (verwerking != null) {
      rijen.add(new Rij(
          "max processing time of a message",
          "24 h",
          "p99 ≤ 1 s parked to delivered at 10 000/s",
          String.format(
              Locale.ROOT,
              "p50 %d ms, p99 %d ms, max %d ms (sample of %d)",
              verwerking.getLong("p50Ms"),
              verwerking.getLong("p99Ms"),
              verwerking.getLong("maxMs"),
              verwerking.getLong("count")),
          verwerking.getLong("maxMs") < 24L * 3_600_000,
          verwerking.getLong("p99Ms") <= 1000));
    } else if (intake != null) {
      // Intake ran and its sample is missing: say so rather than leave the norm out
      rijen.add(new Rij(
          "max processing time of a message",
          "24 h",
          "p99 ≤ 1 s parked to delivered at 10 000/s",
          "not measured: the generator did not read the receipts (see Intake.log)",
          false,
          false));
    }
    JsonObject batch = serie(dir, "batch", "batch");
    JsonObject dag = lees(dir, "dag");
    if (batch != null) {
      int perBatch = smoke ? 100 : 1000;
      double perSec = batch.getDouble("perSeconde") * perBatch;
      // the target's rate is the day's (8 senders of 1 000-message batches as fast as taken):
      // stored, and stored and processed
      double opgeslagen = dag == null
          ? 0
          : dag.getLong("berichten") / Math.max(0.001, dag.getDouble("aangenomenSeconden"));
      double verwerkt = dag == null ? 0 : dag.getLong("berichtenPerSeconde");
      rijen.add(new Rij(
          "messages offered per hour (peak), in batches",
          "150 000/h",
          "≥ 40 000 messages/s stored and processed",
          String.format(
                  Locale.ROOT,
                  "%.0f messages/s offered (%d batches of %d, %d failed), batch p99 %d ms",
                  perSec,
                  batch.getLong("ok"),
                  perBatch,
                  batch.getLong("ko"),
                  batch.getLong("p99"))
              + (dag == null
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "; as fast as taken (the day): %.0f/s stored, %.0f/s stored and processed",
                      opgeslagen,
                      verwerkt)),
          batch.getLong("ko") == 0,
          verwerkt >= 40_000,
          rijenTekst,
          deel(verwerkt, rijenGrens)));
    }
    JsonObject bijlagenNorm = serie(dir, "bijlagen", "bijlagen 45/s");
    JsonObject bijlagen = serie(dir, "bijlagen", "bijlagen 500/s");
    if (bijlagenNorm != null && bijlagen != null) {
      rijen.add(new Rij(
          "messages with attachments",
          "up to 95 %",
          "100 kB attachments ≥ 500 messages/s",
          String.format(
              Locale.ROOT,
              "95 %% with 100 kB: at %.0f/s %d failed, p99 %d ms; offered 500/s: %d taken "
                  + "(%.0f/s), %d refused or failed, p99 %d ms",
              bijlagenNorm.getDouble("perSeconde"),
              bijlagenNorm.getLong("ko"),
              bijlagenNorm.getLong("p99"),
              bijlagen.getLong("ok"),
              bijlagen.getDouble("perSeconde"),
              bijlagen.getLong("ko"),
              bijlagen.getLong("p99")),
          bijlagenNorm.getLong("ko") == 0,
          bijlagen.getLong("ko") == 0 && bijlagen.getDouble("perSeconde") >= 495));
    }
    JsonObject over = serie(dir, "overbelasting", "overbelasting");
    JsonObject overWeg = serie(dir, "overbelasting", "overbelasting geweigerd");
    JsonObject na = serie(dir, "overbelasting", "na overbelasting 2000/s");
    JsonObject heap = lees(dir, "overbelasting-heap");
    if (over != null && na != null && heap != null) {
      long wegOk = overWeg == null ? 0 : overWeg.getLong("ok");
      long wegZonder = overWeg == null ? 0 : overWeg.getLong("ko");
      double heapDeel =
          heap.getLong("heapNaGcMaxBytes") / (double) Math.max(1, heap.getLong("heapMaxBytes"));
      // after the jump: the highest per-second p99 from the 10th second on (is it bounded, or
      // growing?)
      long na10 = over.getJsonArray("reeks").stream()
          .map(o -> (JsonObject) o)
          .filter(o -> o.getLong("t") >= 10)
          .mapToLong(o -> o.getLong("p99"))
          .max()
          .orElse(0);
      // requests the generator never sent (Gatling opens a connection per waiting request in the
      // open model, and past its descriptors it fails them before they leave): not offered, and
      // not the engine's failures
      long nietVerzonden =
          Math.min(over.getLong("ko"), nietVerzonden(dir.resolve("Overbelasting.log")));
      long mislukt = over.getLong("ko") - nietVerzonden;
      // three times what the engine can take is only offered when it takes a third or less of it
      double keer = (over.getLong("ok") + mislukt + wegOk + wegZonder)
          / (double) Math.max(1, over.getLong("ok"));
      rijen.add(new Rij(
          "overload: 3× what intake takes, for a minute (issues 9, 21)",
          "shed with 429/503 + Retry-After, nothing else",
          "offered ≥ 3× what it took; admitted p99 ≤ 1 s; live heap ≤ 75 %; then p99 ≤ 50 ms at 2 000/s",
          String.format(
              Locale.ROOT,
              "offered %.0f/s: %d taken (%.0f/s, p99 %d ms, max %d ms; per second from the 10th: "
                  + "p99 at most %d ms), %d shed (%d without Retry-After), "
                  + "%d failed, %d not sent (the generator out of file descriptors); sent %.1f× what it took; live heap at most %.0f %% of max; afterwards at %.0f/s p99 %d ms, %d failed",
              heap.getDouble("aangebodenPerSeconde", 6000.0),
              over.getLong("ok"),
              over.getDouble("perSeconde"),
              over.getLong("p99"),
              over.getLong("max"),
              na10,
              wegOk,
              wegZonder,
              mislukt,
              nietVerzonden,
              keer,
              heapDeel * 100,
              na.getDouble("perSeconde"),
              na.getLong("p99"),
              na.getLong("ko")),
          mislukt == 0 && wegZonder == 0 && na.getLong("ko") == 0 && heapDeel < 1.0,
          keer >= 3 && over.getLong("p99") <= 1000 && heapDeel <= 0.75 && na.getLong("p99") <= 50));
    }
    JsonObject portaal = serie(dir, "presentatie", "portaal");
    JsonObject portaalCap = serie(dir, "presentatie", "portaal capaciteit");
    if (portaal != null) {
      double capaciteit = portaalCap == null ? 0 : portaalCap.getDouble("perSeconde");
      rijen.add(new Rij(
          "presentation response time, 99.9 %",
          "200 ms",
          "p99.9 ≤ 5 ms at 5 000 req/s (open model)",
          String.format(
                  Locale.ROOT,
                  "%.0f req/s: p50 %d, p99 %d, p99.9 %d, max %d ms; %d failed",
                  portaal.getDouble("perSeconde"),
                  portaal.getLong("p50"),
                  portaal.getLong("p99"),
                  portaal.getLong("p999"),
                  portaal.getLong("max"),
                  portaal.getLong("ko"))
              + (portaalCap == null
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "; capacity (32 users, closed): %.0f req/s, p99.9 %d ms (%s the 200 ms norm)",
                      capaciteit,
                      portaalCap.getLong("p999"),
                      portaalCap.getLong("p999") <= 200 ? "within" : "over")),
          portaal.getLong("ko") == 0 && portaal.getLong("p999") <= 200,
          portaal.getLong("p999") <= 5 && portaal.getDouble("perSeconde") >= 4900,
          paginaGrens <= 0
              ? "–"
              : String.format(
                  Locale.ROOT,
                  "%d first-page queries/s (8 connections, p99 %.2f ms)",
                  paginaGrens,
                  limiet.getDouble("pageQueryP99Ms")),
          deel(capaciteit, paginaGrens)));
    }
    JsonObject validatie = serie(dir, "validatie", "validatie");
    JsonObject leeg = serie(dir, "validatie", "leeg verzoek");
    if (validatie != null) {
      rijen.add(new Rij(
          "Validatieservice response time (250 BSNs)",
          "30 s",
          "p99 ≤ 20 ms",
          String.format(
              Locale.ROOT,
              "%d calls: p50 %d, p99 %d, max %d ms; %d failed%s",
              validatie.getLong("ok"),
              validatie.getLong("p50"),
              validatie.getLong("p99"),
              validatie.getLong("max"),
              validatie.getLong("ko"),
              leeg == null
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      " (an empty request at the same rate: p50 %d, p99 %d ms)",
                      leeg.getLong("p50"),
                      leeg.getLong("p99"))),
          validatie.getLong("ko") == 0 && validatie.getLong("max") < 30_000,
          validatie.getLong("p99") <= 20));
    }
    JsonObject alles = serie(dir, "abonnement", "ALLES");
    if (alles != null) {
      rijen.add(new Rij(
          "Abonnementservice lead time (ALLES)",
          "4 h",
          "ALLES over 1 000 000 citizens ≤ 60 s",
          String.format(Locale.ROOT, "request to last line: %d ms", alles.getLong("max")),
          alles.getLong("ko") == 0 && alles.getLong("max") < 4L * 3_600_000,
          alles.getLong("max") <= 60_000));
    }
    if (dag != null) {
      rijen.add(new Rij(
          "messages per day",
          "2 500 000",
          "a day's volume replayed in ≤ 5 min",
          String.format(
              Locale.ROOT,
              "%d messages accepted in %.0f s, all processed in %.0f s (%d/s)",
              dag.getLong("berichten"),
              dag.getDouble("aangenomenSeconden"),
              dag.getDouble("verwerktSeconden"),
              dag.getLong("berichtenPerSeconde")),
          true,
          dag.getLong("berichten") >= 2_500_000 && dag.getDouble("verwerktSeconden") <= 300,
          rijenTekst,
          deel(dag.getLong("berichtenPerSeconde"), rijenGrens)));
    }
    JsonObject kafka = lees(dir, "kafka");
    if (kafka != null) {
      Double verwerkt = kafka.getDouble("processedPerSecond");
      rijen.add(new Rij(
          "Kafka intake (issue 21)",
          "–",
          "≥ 40 000/s stored, processed and receipted",
          String.format(
                  Locale.ROOT,
                  "%d produced at once: stored at %.0f/s, ",
                  kafka.getLong("count"),
                  kafka.getDouble("storedPerSecond"))
              + (verwerkt == null
                  ? "not all processed"
                  : String.format(
                      Locale.ROOT,
                      "all processed (receipts written) at %.0f/s; produced to delivered p99 %.0f ms",
                      verwerkt,
                      kafka.getJsonObject("producedToDeliveredMs").getDouble("p99"))),
          Boolean.TRUE.equals(kafka.getBoolean("allProcessed")),
          verwerkt != null && verwerkt >= 40_000 && kafka.getDouble("storedPerSecond") >= 40_000));
    }
    JsonObject mail = lees(dir, "notificaties");
    if (mail != null) {
      rijen.add(new Rij(
          "notifications per hour",
          "125 000/h",
          "≥ 1 000/s into SMTP",
          String.format(
              Locale.ROOT,
              "%d e-mails at %.0f/s",
              mail.getLong("emails"),
              mail.getDouble("emailsPerSecond")),
          mail.getLong("emails").equals(mail.getLong("citizens")),
          mail.getDouble("emailsPerSecond") >= 1000));
    }

    StringBuilder md = new StringBuilder();
    md.append(machine(args.length > 2 ? args[2] : null));
    md.append(smoke ? "Smoke run: rates and durations cut down, targets not judged.\n\n" : "")
        .append(
            "| norm | agreement | target | measured | limit: PostgreSQL alone, same store | engine / limit | norm met | target met |\n"
                + "|---|---|---|---|---|---|---|---|\n");
    JsonArray json = new JsonArray();
    for (Rij r : rijen) {
      md.append("| ")
          .append(r.norm())
          .append(" | ")
          .append(r.afspraak())
          .append(" | ")
          .append(r.doel())
          .append(" | ")
          .append(r.gemeten())
          .append(" | ")
          .append(r.grens())
          .append(" | ")
          .append(r.verhouding())
          .append(" | ")
          .append(r.normGehaald() ? "yes" : "**no**")
          .append(" | ")
          .append(smoke ? "–" : r.doelGehaald() ? "yes" : "**no**")
          .append(" |\n");
      json.add(new JsonObject()
          .put("norm", r.norm())
          .put("agreement", r.afspraak())
          .put("target", r.doel())
          .put("measured", r.gemeten())
          .put("limit", r.grens())
          .put("ratio", r.verhouding())
          .put("normMet", r.normGehaald())
          .put("targetMet", smoke ? null : r.doelGehaald()));
    }
    md.append("\n");
    postgresql(dir, md);
    cpu(dir, md, smoke);
    for (String[] p : new String[][] {
      {"intake", "intake 10000/s"},
      {"presentatie", "portaal"},
      {"bijlagen", "bijlagen 500/s"},
      {"overbelasting", "overbelasting"},
      {"validatie", "validatie"},
      {"batch", "batch"},
      {"dag-batches", "dag batch"}
    }) {
      JsonObject s = serie(dir, p[0], p[1]);
      if (s != null && !s.getJsonArray("reeks").isEmpty()) {
        String file = p[0] + ".svg";
        Files.writeString(dir.resolve(file), svg(p[1], s.getJsonArray("reeks")));
        md.append("![").append(p[1]).append("](").append(file).append(")\n\n");
      }
    }
    Files.writeString(dir.resolve("summary.md"), md.toString());
    Files.writeString(
        dir.resolve("summary.json"),
        new JsonObject().put("smoke", smoke).put("rows", json).encodePrettily());
    System.out.println();
    System.out.print(
        md.substring(0, md.indexOf("\n\n![") < 0 ? md.length() : md.indexOf("\n\n![")));
    System.out.println();
  }

  /** Where and what was run: for the figures to be comparable. */
  private static String machine(String commando) {
    String cpu = "?";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("?");
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    long geheugen = ((OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    return String.format(
        Locale.ROOT,
        "Run of %s%s on %d cores (%s), %.0f GiB memory, Java %s, %s; the engine and the load "
            + "generator on the same machine.%n%n",
        ZonedDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.MINUTES)
                .toLocalDateTime()
                .toString()
                .replace('T', ' ')
            + " UTC",
        commando == null ? "" : " (" + commando + ")",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        geheugen / 1073741824.0,
        System.getProperty("java.version"),
        System.getProperty("os.name"));
  }

  /** PostgreSQL's counters per scenario (pg-<scenario>.json, written by the suite script around each). */
  private static void postgresql(Path dir, StringBuilder md) throws IOException {
    List<Path> bestanden = perScenario(dir, "pg-[A-Za-z]+\\.json");
    if (bestanden.isEmpty()) {
      return;
    }
    md.append(
        "PostgreSQL during each scenario (`pg_stat_wal`, `pg_stat_bgwriter`: write-ahead log written, the share of its "
            + "records that are full-page images, checkpoints and buffers they wrote):\n\n"
            + "| scenario | seconds | WAL MB | WAL MB/s | WAL records | full-page images | checkpoints (timed + requested) | buffers by checkpoints |\n"
            + "|---|---|---|---|---|---|---|---|\n");
    for (Path f : bestanden) {
      JsonObject o = new JsonObject(Files.readString(f));
      double sec = o.getDouble("seconden", 0.0);
      double mb = o.getLong("walBytes", 0L) / 1e6;
      md.append(String.format(
          Locale.ROOT,
          "| %s | %.0f | %.0f | %.1f | %d | %d (%.0f %%) | %d + %d | %d |%n",
          f.getFileName().toString().replaceAll("^pg-|\\.json$", ""),
          sec,
          mb,
          sec > 0 ? mb / sec : 0.0,
          o.getLong("walRecords", 0L),
          o.getLong("walFullPageImages", 0L),
          100 * o.getDouble("fullPageImageShare", 0.0),
          o.getLong("checkpointsTimed", 0L),
          o.getLong("checkpointsRequested", 0L),
          o.getLong("buffersCheckpoint", 0L)));
    }
    md.append("\n");
  }

  /** The files of {@code dir} whose names match {@code patroon} (one per scenario), by name. */
  private static List<Path> perScenario(Path dir, String patroon) throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().matches(patroon)).sorted().toList();
    }
  }

  /**
   * Where each scenario's CPU went (cpu-<scenario>.json, written by the suite script): the engine,
   * its PostgreSQL and the generator while the generator ran; the engine and PostgreSQL again
   * until what the scenario left was processed; and per unit of work the scenario did (messages
   * taken, requests answered), so the cost of one message is read off every run.
   */
  private static void cpu(Path dir, StringBuilder md, boolean smoke) throws IOException {
    List<Path> bestanden = perScenario(dir, "cpu-[A-Za-z]+\\.json");
    if (bestanden.isEmpty()) {
      return;
    }
    int kernen = Runtime.getRuntime().availableProcessors();
    md.append(
        "CPU during each scenario (seconds of CPU: the engine's and its PostgreSQL's from `/proc`, the generator's "
            + "as its process reports it; busy: all three over the seconds times "
            + kernen
            + " cores), then until what it left was processed; per unit the CPU until processed, the generator's "
            + "while it ran, divided by the units done in all the scenario's phases (refused requests cost too, "
            + "and are not counted as units):\n\n"
            + "| scenario | seconds | engine | PostgreSQL | generator | busy | until processed: seconds, engine, PostgreSQL | units | per unit, µs: engine, PostgreSQL, generator |\n"
            + "|---|---|---|---|---|---|---|---|---|\n");
    for (Path f : bestanden) {
      String naam = f.getFileName().toString().replaceAll("^cpu-|\\.json$", "");
      JsonObject o = new JsonObject(Files.readString(f));
      double sec = o.getDouble("seconden", 0.0);
      double e = o.getDouble("engineCpu", 0.0);
      double pg = o.getDouble("postgresqlCpu", 0.0);
      double gen = o.getDouble("generatorCpu", 0.0);
      double eV = o.getDouble("engineCpuVerwerkt", e);
      double pgV = o.getDouble("postgresqlCpuVerwerkt", pg);
      Eenheden n = eenheden(dir, naam, smoke);
      md.append(String.format(
          Locale.ROOT,
          "| %s | %.0f | %.1f | %.1f | %.1f | %.0f %% | %.0f, %.1f, %.1f | %s | %s |%n",
          naam,
          sec,
          e,
          pg,
          gen,
          sec > 0 ? 100 * (e + pg + gen) / (sec * kernen) : 0.0,
          o.getDouble("verwerktSeconden", sec),
          eV,
          pgV,
          n == null ? "–" : n.aantal() + " " + n.wat(),
          n == null || n.aantal() == 0
              ? "–"
              : String.format(
                  Locale.ROOT,
                  "%.0f, %.0f, %.0f",
                  1e6 * eV / n.aantal(),
                  1e6 * pgV / n.aantal(),
                  1e6 * gen / n.aantal())));
    }
    md.append("\n");
    fasen(dir, md, kernen);
  }

  /**
   * The CPU of each phase of a Gatling scenario, from the per-second samples (cpu-<scenario>.tsv)
   * between the phase's first and last answer. The engine's and PostgreSQL's CPU in a phase is what
   * they did then, which includes processing what an earlier phase left; in a steady phase (the
   * capacity's closed loop) it is that phase's own.
   */
  private static void fasen(Path dir, StringBuilder md, int kernen) throws IOException {
    StringBuilder rijen = new StringBuilder();
    for (String[] sc : new String[][] {
      {"Intake", "intake", "messages taken"},
      {"Presentatie", "presentatie", "requests answered"},
      {"Bijlagen", "bijlagen", "messages taken"},
      {"Overbelasting", "overbelasting", "answers"},
    }) {
      Path tsv = dir.resolve("cpu-" + sc[0] + ".tsv");
      JsonObject res = lees(dir, sc[1]);
      if (!Files.exists(tsv) || res == null) {
        continue;
      }
      double hz = 100;
      List<long[]> monsters = new ArrayList<>();
      for (String l : Files.readAllLines(tsv)) {
        String[] v = l.trim().split("\\s+");
        if (l.startsWith("# hz")) {
          hz = Double.parseDouble(v[2]);
        } else if (v.length == 4) {
          monsters.add(new long[] {
            Long.parseLong(v[0]), Long.parseLong(v[1]), Long.parseLong(v[2]), Long.parseLong(v[3])
          });
        }
      }
      // in the order they ran
      for (String fase : res.fieldNames().stream()
          .sorted(Comparator.comparingLong(
              k -> res.getValue(k) instanceof JsonObject o ? o.getLong("vanMs", 0L) : 0L))
          .toList()) {
        if (!(res.getValue(fase) instanceof JsonObject f) || f.getLong("vanMs", 0L) == 0) {
          continue;
        }
        long[] a = null;
        long[] b = null;
        for (long[] m : monsters) {
          if (a == null && m[0] >= f.getLong("vanMs")) {
            a = m;
          }
          if (m[0] <= f.getLong("totMs")) {
            b = m;
          }
        }
        long n = f.getLong("ok", 0L);
        if (a == null || b == null || b[0] - a[0] < 2_000 || n == 0) {
          continue; // a phase shorter than two samples says nothing
        }
        double sec = (b[0] - a[0]) / 1000.0;
        double e = (b[1] - a[1]) / hz;
        double pg = (b[2] - a[2]) / hz;
        double gen = (b[3] - a[3]) / hz;
        double perSec = n / Math.max(0.001, (f.getLong("totMs") - f.getLong("vanMs")) / 1000.0);
        rijen.append(String.format(
            Locale.ROOT,
            "| %s | %.0f | %.0f %s/s | %.0f %% | %.0f, %.0f, %.0f | %.0f, %.0f, %.0f |%n",
            fase,
            sec,
            perSec,
            sc[2],
            100 * (e + pg + gen) / (sec * kernen),
            e / sec * 100,
            pg / sec * 100,
            gen / sec * 100,
            1e6 * e / (perSec * sec),
            1e6 * pg / (perSec * sec),
            1e6 * gen / (perSec * sec)));
      }
    }
    if (rijen.isEmpty()) {
      return;
    }
    md.append(
            "CPU by phase (from each second's samples between a phase's first and last answer; % of one core; "
                + "per unit the CPU of the phase's seconds over the units it did in them: the engine's and "
                + "PostgreSQL's include processing an earlier phase left, refused requests cost and are not units):\n\n"
                + "| phase | seconds | units | busy (of "
                + kernen
                + " cores) | % of a core: engine, PostgreSQL, generator | per unit, µs: engine, PostgreSQL, generator |\n"
                + "|---|---|---|---|---|---|\n")
        .append(rijen)
        .append("\n");
  }

  private record Eenheden(long aantal, String wat) {}

  /** The units of work a scenario did, from its result file; null where there is no such count. */
  static Eenheden eenheden(Path dir, String scenario, boolean smoke) throws IOException {
    return switch (scenario) {
      case "Intake" -> okSom(dir, "intake", "messages taken");
      case "Bijlagen" -> okSom(dir, "bijlagen", "messages taken");
      case "Presentatie" -> okSom(dir, "presentatie", "requests answered");
      case "Validatie" -> okSom(dir, "validatie", "calls answered");
      case "Batch" -> {
        Eenheden b = okSom(dir, "batch", "");
        yield b == null ? null : new Eenheden(b.aantal() * (smoke ? 100 : 1000), "messages taken");
      }
      case "Overbelasting" -> {
        JsonObject o = lees(dir, "overbelasting");
        yield o == null
            ? null
            : new Eenheden(
                o.fieldNames().stream()
                    .filter(k -> !k.endsWith("geweigerd"))
                    .map(o::getValue)
                    .filter(JsonObject.class::isInstance)
                    .mapToLong(v -> ((JsonObject) v).getLong("ok", 0L))
                    .sum(),
                "messages taken");
      }
      case "Dag" -> {
        JsonObject o = lees(dir, "dag");
        yield o == null ? null : new Eenheden(o.getLong("berichten", 0L), "messages taken");
      }
      case "Notificaties" -> {
        JsonObject o = lees(dir, "notificaties");
        yield o == null ? null : new Eenheden(o.getLong("emails", 0L), "e-mails sent");
      }
      default -> null;
    };
  }

  /** The sum of "ok" over the phases of a result file. */
  private static Eenheden okSom(Path dir, String bestand, String wat) throws IOException {
    JsonObject o = lees(dir, bestand);
    if (o == null) {
      return null;
    }
    long n = 0;
    for (String k : o.fieldNames()) {
      if (o.getValue(k) instanceof JsonObject fase) {
        n += fase.getLong("ok", 0L);
      }
    }
    return new Eenheden(n, wat);
  }

  /**
   * Requests Gatling failed before sending them for want of file descriptors, by the last error
   * summary in its log (each progress report repeats the counts so far).
   */
  static long nietVerzonden(Path log) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    long n = 0;
    for (String l : Files.readAllLines(log)) {
      var m = EMFILE.matcher(l);
      if (m.find()) {
        n = Math.max(n, Long.parseLong(m.group(1).replace(",", "")));
      }
    }
    return n;
  }

  private static final Pattern EMFILE = Pattern.compile("Too many open files\\s+([\\d,]+)");

  private static JsonObject lees(Path dir, String naam) throws IOException {
    Path f = dir.resolve(naam + ".json");
    return Files.exists(f) ? new JsonObject(Files.readString(f)) : null;
  }

  private static JsonObject serie(Path dir, String bestand, String naam) throws IOException {
    JsonObject o = lees(dir, bestand);
    return o == null ? null : o.getJsonObject(naam);
  }

  /** p50, p99 and p99.9 per second (ms, log scale, left) and responses per second (right), as SVG. */
  static String svg(String titel, JsonArray reeks) {
    int w = 760;
    int h = 300;
    int l = 60;
    int r = 60;
    int t = 30;
    int b = 40;
    long tMax = 1;
    long nMax = 1;
    long msMax = 1;
    for (Object o : reeks) {
      JsonObject p = (JsonObject) o;
      tMax = Math.max(tMax, p.getLong("t"));
      nMax = Math.max(nMax, p.getLong("n"));
      msMax = Math.max(msMax, p.getLong("p999"));
    }
    double logMax = Math.log10(Math.max(10, msMax * 2));
    StringBuilder s = new StringBuilder();
    s.append(String.format(
        Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
        w,
        h));
    s.append(String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"18\" font-size=\"13\">%s: latency per second (ms, log) and "
            + "responses per second</text>%n",
        l,
        esc(titel)));
    for (int e = 0; e <= (int) Math.ceil(logMax); e++) {
      double y = t + (h - t - b) * (1 - e / logMax);
      if (y < t) {
        continue;
      }
      s.append(String.format(
          Locale.ROOT,
          "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
              + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
          l,
          w - r,
          y,
          y,
          l - 4,
          y + 4,
          e == 0 ? "1" : "1" + "0".repeat(e)));
    }
    s.append(String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d/s</text>%n",
        w - 4,
        t + 4,
        nMax));
    s.append(String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d s</text>%n",
        l,
        h - b + 15,
        w - r,
        h - b + 15,
        tMax));
    String[][] lijnen = {{"n", "#999"}, {"p50", "#2a7"}, {"p99", "#e80"}, {"p999", "#c22"}};
    for (String[] lijn : lijnen) {
      StringBuilder pts = new StringBuilder();
      for (Object o : reeks) {
        JsonObject p = (JsonObject) o;
        double x = l + (w - l - r) * (p.getLong("t") / (double) tMax);
        double y = lijn[0].equals("n")
            ? t + (h - t - b) * (1 - p.getLong("n") / (double) nMax)
            : t + (h - t - b) * (1 - Math.log10(Math.max(1, p.getLong(lijn[0]))) / logMax);
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      s.append(String.format(
          Locale.ROOT,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
          lijn[1],
          pts.toString().trim()));
    }
    int lx = l + 10;
    for (String[] lijn : lijnen) {
      String label = switch (lijn[0]) {
        case "n" -> "responses/s (right axis)";
        case "p999" -> "p99.9";
        default -> lijn[0];
      };
      s.append(String.format(
          Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>"
              + "<text x=\"%d\" y=\"%d\">%s</text>%n",
          lx,
          h - 12,
          lijn[1],
          lx + 14,
          h - 8,
          label));
      lx += 14 + label.length() * 7 + 16;
    }
    return s.append("</svg>\n").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;");
  }
}
