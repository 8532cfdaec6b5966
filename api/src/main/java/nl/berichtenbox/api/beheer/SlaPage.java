package nl.berichtenbox.api.beheer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The monthly service-level report as a plain, accessible HTML page (no scripts, no external resources). */
final class SlaPage {
  private SlaPage() {}

  static String van(JsonObject r) {
    JsonObject b = r.getJsonObject("beschikbaarheid");
    JsonObject i = r.getJsonObject("incidenten");
    JsonObject p = r.getJsonObject("productie");
    JsonObject perf = r.getJsonObject("performance");
    StringBuilder s = new StringBuilder(8192);
    s.append(
            "<!DOCTYPE html>\n<html lang=\"nl\">\n<head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Servicerapportage ")
        .append(esc(r.getString("maand")))
        .append(
            "</title>\n<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;"
                + "padding:0 1rem;color:#111}table{border-collapse:collapse;margin:0 0 1.5rem}th,td{border:1px solid #888;"
                + "padding:.3rem .6rem;text-align:left}th{background:#eee}.nee{color:#a00;font-weight:bold}</style>\n</head>\n<body>\n<main>\n")
        .append("<h1>Servicerapportage ")
        .append(esc(r.getString("maand")))
        .append("</h1>\n<p>Opgesteld op ")
        .append(esc(r.getString("opgesteldOp")))
        .append(" (UTC).</p>\n");

    s.append("<h2>Beschikbaarheid</h2>\n<table>\n<caption>Norm: ")
        .append(b.getDouble("normProcent"))
        .append(" % per maand, buiten gepland onderhoud met uitval</caption>\n");
    rij(
        s,
        "Beschikbaarheid",
        b.containsKey("procent") ? b.getDouble("procent") + " %" : "nog niets beoordeeld");
    rij(s, "Binnen norm", ja(b.getBoolean("binnenNorm")));
    rij(s, "Ongeplande uitval", b.getLong("ongeplandeUitvalMinuten") + " minuten");
    rij(
        s,
        "Resterend budget",
        b.getLong("resterendBudgetMinuten") + " van " + b.getLong("budgetMinuten") + " minuten");
    rij(s, "Uitval binnen gepland onderhoud", b.getLong("uitvalInOnderhoudMinuten") + " minuten");
    rij(s, "Gepland onderhoud met uitval", b.getLong("geplandOnderhoudMinuten") + " minuten");
    rij(
        s,
        "Beoordeeld",
        b.getLong("beoordeeldMinuten") + " van " + b.getLong("basisMinuten") + " minuten");
    s.append("</table>\n");

    s.append("<h2>Incidenten</h2>\n<table>\n<caption>Norm: ")
        .append(i.getDouble("normProcent"))
        .append(
            " % binnen de oplostijd</caption>\n<tr><th scope=\"col\">Prioriteit</th><th scope=\"col\">Aantal</th>"
                + "<th scope=\"col\">Beoordeeld</th><th scope=\"col\">Binnen norm</th></tr>\n");
    for (Object o : i.getJsonArray("perPrioriteit")) {
      JsonObject x = (JsonObject) o;
      s.append("<tr><td>P")
          .append(x.getInteger("prioriteit"))
          .append("</td><td>")
          .append(x.getInteger("aantal"))
          .append("</td><td>")
          .append(x.getInteger("beoordeeld"))
          .append("</td><td>")
          .append(x.getInteger("binnenNorm"))
          .append(
              x.containsKey("procentBinnenNorm")
                  ? " (" + x.getDouble("procentBinnenNorm") + " %)"
                  : "")
          .append("</td></tr>\n");
    }
    s.append("</table>\n");
    if (i.containsKey("procentBinnenNorm")) {
      s.append("<p>Binnen norm: ")
          .append(i.getDouble("procentBinnenNorm"))
          .append(" % — ")
          .append(ja(i.getBoolean("binnenNorm")))
          .append("</p>\n");
    }

    s.append("<h2>Productie</h2>\n<table>\n");
    rij(s, "Verwerkte berichten", String.valueOf(p.getLong("verwerkteBerichten")));
    rij(s, "Aangeboden berichten", String.valueOf(p.getLong("aangebodenBerichten")));
    rij(s, "Actieve Berichtenboxen", String.valueOf(p.getLong("actieveBerichtenboxen")));
    rij(s, "Actieve afnemers", String.valueOf(p.getLong("actieveAfnemers")));
    s.append("</table>\n");

    JsonObject pr = perf.getJsonObject("presentatie");
    JsonObject v = perf.getJsonObject("verwerking");
    s.append("<h2>Prestaties</h2>\n<table>\n");
    rij(
        s,
        "Presentatie, 99,9 % binnen",
        pr.getDouble("p999Ms") + " ms (norm 200 ms; " + pr.getLong("verzoeken") + " verzoeken) — "
            + ja(pr.getBoolean("binnenNorm")));
    rij(
        s,
        "Verwerking, langste",
        v.getDouble("maxMs") + " ms (norm 24 uur; " + v.getLong("berichten") + " berichten) — "
            + ja(v.getBoolean("binnenNorm")));
    s.append("</table>\n");

    JsonArray prog = r.getJsonArray("prognoses");
    s.append("<h2>Prognoses</h2>\n");
    if (prog.isEmpty()) {
      s.append("<p>Geen prognoses voor deze maand.</p>\n");
    } else {
      s.append(
          "<table>\n<caption>Norm: afwijking ten hoogste 10 %</caption>\n<tr><th scope=\"col\">Afnemer</th>"
              + "<th scope=\"col\">Prognose</th><th scope=\"col\">Werkelijk</th><th scope=\"col\">Afwijking</th></tr>\n");
      for (Object o : prog) {
        JsonObject x = (JsonObject) o;
        s.append("<tr><td>")
            .append(esc(x.getString("naam")))
            .append("</td><td>")
            .append(x.getLong("prognose"))
            .append("</td><td>")
            .append(x.getLong("werkelijk"))
            .append("</td><td>")
            .append(
                x.containsKey("afwijkingProcent")
                    ? x.getDouble("afwijkingProcent") + " % — " + ja(x.getBoolean("binnenNorm"))
                    : "–")
            .append("</td></tr>\n");
      }
      s.append("</table>\n");
    }
    return s.append("</main>\n</body>\n</html>\n").toString();
  }

  private static void rij(StringBuilder s, String kop, String value) {
    s.append("<tr><th scope=\"row\">")
        .append(esc(kop))
        .append("</th><td>")
        .append(value)
        .append("</td></tr>\n");
  }

  private static String ja(Boolean b) {
    return Boolean.TRUE.equals(b) ? "ja" : "<span class=\"nee\">nee</span>";
  }

  private static String esc(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
