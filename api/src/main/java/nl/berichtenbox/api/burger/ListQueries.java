package nl.berichtenbox.api.burger;

import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import nl.berichtenbox.engine.berichtenbox.BoxBerichten;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;

/** The list's query parameters ({@code GET /berichtenbox/berichten}, contract §3) as the engine's page query. */
final class ListQueries {
  private ListQueries() {}

  /** The page query the parameters ask for; a 400 naming each bad one. */
  static BoxBerichten.Zoekvraag from(HttpServerRequest r) {
    return from(
        r.getParam("map"),
        r.getParam("ongelezen"),
        r.getParam("zoek"),
        r.getParam("afzender"),
        r.getParam("limit"),
        r.getParam("cursor"));
  }

  static BoxBerichten.Zoekvraag from(
      String map, String ongelezen, String zoek, String afzender, String limit, String cursor) {
    List<InvalidParam> bad = new ArrayList<>();
    String m = isBlank(map) ? "inbox" : map;
    if (!BoxBerichten.MAPPEN.contains(m)) {
      bad.add(new InvalidParam("map", "moet inbox, archief of prullenbak zijn"));
    }
    Boolean o = null;
    if (!isBlank(ongelezen)) {
      if (ongelezen.equals("true") || ongelezen.equals("false")) {
        o = Boolean.valueOf(ongelezen);
      } else {
        bad.add(new InvalidParam("ongelezen", "moet true of false zijn"));
      }
    }
    String z = null;
    if (!isBlank(zoek)) {
      String s = zoek.strip();
      int len = s.codePointCount(0, s.length());
      if (len < BoxBerichten.ZOEK_MIN || len > BoxBerichten.ZOEK_MAX) {
        bad.add(new InvalidParam(
            "zoek",
            "moet " + BoxBerichten.ZOEK_MIN + " tot " + BoxBerichten.ZOEK_MAX + " tekens zijn"));
      } else {
        z = s;
      }
    }
    if (!isBlank(afzender) && !Identifiers.isOin(afzender)) {
      bad.add(new InvalidParam("afzender", "moet een OIN van 20 cijfers zijn"));
    }
    int l = BoxBerichten.LIMIT_STANDAARD;
    if (!isBlank(limit)) {
      try {
        l = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        l = -1;
      }
      if (l < 1 || l > BoxBerichten.LIMIT_MAX) {
        bad.add(new InvalidParam("limit", "moet 1 tot " + BoxBerichten.LIMIT_MAX + " zijn"));
      }
    }
    if (!bad.isEmpty()) {
      throw ClientErrorException.badRequest("ongeldige queryparameters", bad);
    }
    return new BoxBerichten.Zoekvraag(
        m, o, z, isBlank(afzender) ? null : afzender, l, isBlank(cursor) ? null : cursor);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isEmpty();
  }
}
