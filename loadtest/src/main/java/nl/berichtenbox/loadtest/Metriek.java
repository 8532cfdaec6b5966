package nl.berichtenbox.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** The engine's {@code /metrics}, read by the load tools: one value, or every second on a thread of its own. */
public final class Metriek {
  /** One client for every reading (each new one starts a selector thread of its own). */
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Metriek() {}

  /** The value of an unlabelled series in a Prometheus text page; 0 when it is not there. */
  public static long waarde(String metrics, String naam) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(naam + " "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(naam.length() + 1).trim()))
        .findFirst()
        .orElse(0);
  }

  /** The metrics page of the engine at {@code url}, now. */
  public static String lees(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * Reads the metrics page every second while {@code meten} holds, on a daemon thread, and gives
   * each page to {@code lezing}; a second that cannot be read is skipped (the engine may be busy).
   */
  public static Thread elkeSeconde(String url, AtomicBoolean meten, Consumer<String> lezing) {
    Thread t = new Thread(
        () -> {
          while (meten.get()) {
            try {
              lezing.accept(HTTP.send(
                      HttpRequest.newBuilder(URI.create(url + "/metrics"))
                          .timeout(Duration.ofSeconds(5))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
            } catch (Exception e) {
              // a second without a reading
            }
            try {
              Thread.sleep(1_000);
            } catch (InterruptedException e) {
              return;
            }
          }
        },
        "metrics-meter");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
