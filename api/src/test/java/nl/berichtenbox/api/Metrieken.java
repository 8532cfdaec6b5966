package nl.berichtenbox.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of a Prometheus text page (format 0.0.4), for tests: name, labels, value. */
final class Metrieken {
  record Monster(String naam, Map<String, String> labels, double waarde) {}

  private static final Pattern REGEL =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  final String tekst;
  final List<Monster> monsters = new ArrayList<>();

  Metrieken(String tekst) {
    this.tekst = tekst;
    for (String l : tekst.split("\n")) {
      if (l.isBlank() || l.startsWith("#")) {
        continue;
      }
      Matcher m = REGEL.matcher(l);
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + l);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher lm = LABEL.matcher(m.group(3));
        while (lm.find()) {
          labels.put(lm.group(1), lm.group(2));
        }
      }
      monsters.add(new Monster(
          m.group(1), labels, Double.parseDouble(m.group(4).replace("+Inf", "Infinity"))));
    }
  }

  static Metrieken van(Api api) {
    return new Metrieken(api.get("/metrics", null).expect(200).raw().body());
  }

  /** The samples of {@code naam} whose labels include {@code labels} (name, value, ...). */
  List<Monster> van(String naam, String... labels) {
    List<Monster> out = new ArrayList<>();
    for (Monster m : monsters) {
      if (!m.naam().equals(naam)) {
        continue;
      }
      boolean past = true;
      for (int i = 0; i < labels.length; i += 2) {
        past &= labels[i + 1].equals(m.labels().get(labels[i]));
      }
      if (past) {
        out.add(m);
      }
    }
    return out;
  }

  /** The sum over the samples {@link #van} gives; 0 when there are none. */
  double som(String naam, String... labels) {
    return van(naam, labels).stream().mapToDouble(Monster::waarde).sum();
  }

  /** The TYPE line's type of a metric family, or null. */
  String type(String familie) {
    for (String l : tekst.split("\n")) {
      if (l.startsWith("# TYPE " + familie + " ")) {
        return l.substring(("# TYPE " + familie + " ").length()).trim();
      }
    }
    return null;
  }
}
