package nl.berichtenbox.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An afnemer's receipt feed read as an afnemer reads it during a fault: from 0, page after page,
 * each time from the {@code volgende} it was given, retrying on anything but 200. What it saw is
 * the feed as the afnemer got it: every receipt once, in rising order, none skipped.
 */
final class Feedvolger implements AutoCloseable {
  /** One receipt as read: its number and message. */
  record Gelezen(long volgnummer, String berichtId) {}

  private final Supplier<Api> api;
  private final Api.Afnemer afnemer;
  private final List<Gelezen> gelezen = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;
  private long vanaf;
  private int fouten;

  Feedvolger(Supplier<Api> api, Api.Afnemer afnemer) {
    this.api = api;
    this.afnemer = afnemer;
    this.thread = new Thread(this::volg, "feedvolger");
    thread.setDaemon(true);
    thread.start();
  }

  private void volg() {
    while (!stop) {
      boolean meer = leesPagina();
      if (!meer) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Reads one page; whether it was full (read on at once). */
  private synchronized boolean leesPagina() {
    try {
      Api.Resp r =
          api.get().get("/api/v1/verwerkingsberichten?limit=1000&vanaf=" + vanaf, afnemer.key());
      if (r.status() != 200) {
        fouten++;
        return false;
      }
      JsonObject page = r.json();
      JsonArray arr = page.getJsonArray("verwerkingsberichten");
      for (int i = 0; i < arr.size(); i++) {
        JsonObject v = arr.getJsonObject(i);
        gelezen.add(new Gelezen(v.getLong("volgnummer"), v.getString("berichtId")));
      }
      vanaf = page.getLong("volgende");
      return arr.size() == 1000;
    } catch (RuntimeException e) {
      fouten++;
      return false;
    }
  }

  /** Reads on until a page comes back empty twice, so everything committed so far is in. */
  void leesTotHetEinde() {
    int leeg = 0;
    while (leeg < 2) {
      int voor;
      synchronized (this) {
        voor = gelezen.size();
      }
      leesPagina();
      synchronized (this) {
        leeg = gelezen.size() == voor ? leeg + 1 : 0;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(30_000);
  }

  /** Receipts per message as read. */
  synchronized Map<String, Integer> perBericht() {
    Map<String, Integer> m = new HashMap<>();
    gelezen.forEach(g -> m.merge(g.berichtId(), 1, Integer::sum));
    return m;
  }

  /** Whether the numbers rose strictly, page after page. */
  synchronized boolean stijgend() {
    for (int i = 1; i < gelezen.size(); i++) {
      if (gelezen.get(i).volgnummer() <= gelezen.get(i - 1).volgnummer()) {
        return false;
      }
    }
    return true;
  }

  synchronized int fouten() {
    return fouten;
  }
}
