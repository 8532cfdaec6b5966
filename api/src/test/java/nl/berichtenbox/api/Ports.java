package nl.berichtenbox.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A port free now, for a server that has to be told its port before it starts: PostgreSQL, Kafka
 * and Prometheus processes, an engine process that is killed and started again on the same port,
 * and the test SMTP server. An engine in this JVM is never given one: it binds port 0 and is asked
 * which port it got ({@link ApiServer#port()}). Between this probe and the server's bind another
 * process may take the port; that race is the price of telling a separate process its port.
 */
final class Ports {
  private Ports() {}

  static int free() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
