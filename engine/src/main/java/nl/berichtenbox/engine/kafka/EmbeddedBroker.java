package nl.berichtenbox.engine.kafka;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * An in-JVM Kafka broker ({@code serve --kafka-bootstrap=embedded}). The broker and what it
 * needs (Kafka's server, Scala: some 69 MB) are not on the engine's class path: they are the
 * optional module {@code kafka-embedded}, found here by a {@link ServiceLoader}, on the class path
 * (the tests) or in the directory the system property {@value #MAP} names ({@code bin/berichtenbox}
 * names the module's build output). A production deployment gives Kafka bootstrap servers instead.
 */
public interface EmbeddedBroker extends AutoCloseable {
  /** System property: a directory with the module's jar and, in {@code lib/}, its own dependencies. */
  String MAP = "berichtenbox.kafka.embedded";

  String bootstrapServers();

  @Override
  void close();

  /** What the module offers to the ServiceLoader. */
  interface Starter {
    /** Starts a single-node broker with its log in {@code dir} (blocking, a few seconds). */
    EmbeddedBroker start(Path dir) throws Exception;
  }

  /** Starts the embedded broker, or says why there is none. */
  static EmbeddedBroker start(Path dir) throws Exception {
    for (Starter s : ServiceLoader.load(Starter.class, EmbeddedBroker.class.getClassLoader())) {
      return s.start(dir);
    }
    String map = System.getProperty(MAP);
    if (map != null && Files.isDirectory(Path.of(map))) {
      ClassLoader cl =
          new URLClassLoader(jars(Path.of(map)), EmbeddedBroker.class.getClassLoader());
      for (Starter s : ServiceLoader.load(Starter.class, cl)) {
        // Kafka loads classes by name through the context class loader, and its threads inherit it
        Thread t = Thread.currentThread();
        ClassLoader voor = t.getContextClassLoader();
        t.setContextClassLoader(cl);
        try {
          return s.start(dir);
        } finally {
          t.setContextClassLoader(voor);
        }
      }
    }
    throw new IllegalStateException(
        "the embedded Kafka broker is not in this installation (the optional module "
            + "kafka-embedded; bin/berichtenbox adds it" + (map == null ? "" : ", looked in " + map)
            + "): give "
            + "BERICHTENBOX_KAFKA_BOOTSTRAP the servers of a Kafka cluster instead");
  }

  /** The module's jar(s) in {@code map} and its own dependencies in {@code map/lib}. */
  private static URL[] jars(Path map) throws IOException {
    List<URL> urls = new ArrayList<>();
    for (Path m : List.of(map, map.resolve("lib"))) {
      if (Files.isDirectory(m)) {
        try (var s = Files.list(m)) {
          for (Path p : s.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
            urls.add(p.toUri().toURL());
          }
        }
      }
    }
    return urls.toArray(URL[]::new);
  }
}
