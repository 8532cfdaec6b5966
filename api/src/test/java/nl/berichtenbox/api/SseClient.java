package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A Server-Sent Events client as a portal would run one: events parsed as they arrive. */
final class SseClient implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Event(String id, String soort, JsonObject data) {}

  final int status;
  final String contentType;
  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final List<String> comments = new CopyOnWriteArrayList<>();
  private final Stream<String> lines;
  private final Thread reader;
  volatile boolean ended;

  private SseClient(HttpResponse<Stream<String>> r) {
    this.status = r.statusCode();
    this.contentType = r.headers().firstValue("Content-Type").orElse("");
    this.lines = r.body();
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  static SseClient open(String base, String token, String lastEventId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
            URI.create(base + "/api/v1/berichtenbox/gebeurtenissen"))
        .header("Accept", "text/event-stream")
        .header("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return new SseClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
  }

  private void read() {
    String id = null;
    String soort = null;
    StringBuilder data = new StringBuilder();
    try {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (soort != null) {
            events.add(
                new Event(id, soort, data.length() == 0 ? null : new JsonObject(data.toString())));
          }
          id = null;
          soort = null;
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comments.add(line);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          soort = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (RuntimeException closed) {
      // the test closed it
    }
    ended = true;
  }

  /** The next event of one of the kinds (others skipped), within the time. */
  Event next(Duration binnen, String... soorten) throws InterruptedException {
    long tot = System.nanoTime() + binnen.toNanos();
    while (true) {
      long rest = tot - System.nanoTime();
      Event e = rest <= 0 ? null : events.poll(rest, TimeUnit.NANOSECONDS);
      if (e == null) {
        fail("no event " + List.of(soorten) + " within " + binnen + (ended ? " (ended)" : ""));
      }
      if (List.of(soorten).contains(e.soort())) {
        return e;
      }
    }
  }

  @Override
  public void close() {
    lines.close();
  }
}
