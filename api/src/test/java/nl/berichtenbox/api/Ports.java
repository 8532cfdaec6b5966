package nl.berichtenbox.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port free now, for a server that has to be told its port before it starts: PostgreSQL, Kafka
 * and Prometheus processes, an engine process that is killed and started again on the same port,
 * and the test SMTP server. An engine in this JVM is never given one: it binds port 0 and is asked
 * which port it got ({@link ApiServer#port()}). Between this probe and the server's bind another
 * process may take the port; that race is the price of telling a separate process its port. It is
 * made small by taking ports below Linux's ephemeral range (32 768-60 999): the kernel gives none of
 * them to an outgoing connection, which is what once took a Kafka node's port in that gap (CI,
 * 2026-12-07: "Address already in use" for a port ServerSocket(0) had just found free).
 */
final class Ports {
  private static final int VAN = 20_000;
  private static final int TOT = 32_768;
  /** Handed out in this JVM: never twice, though the first server may not have bound it yet. */
  private static final Set<Integer> GEGEVEN = ConcurrentHashMap.newKeySet();

  private Ports() {}

  static int free() {
    for (int poging = 0; poging < 1_000; poging++) {
      int port = ThreadLocalRandom.current().nextInt(VAN, TOT);
      if (GEGEVEN.add(port) && vrij(port)) {
        return port;
      }
    }
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static boolean vrij(int port) {
    try (ServerSocket s = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
