package nl.berichtenbox.engine.support;

import io.vertx.core.Future;

/**
 * A part of the engine with a life of its own (a loop, a relay, a consumer): {@code Engine} starts
 * each in the order of their dependencies and stops them in the reverse order.
 */
public interface Component {
  /** Starts its work; returns at once (work goes to Vert.x), called from the launcher's thread. */
  void start();

  /** Finishes the work under way and stops; the future completes when it has. */
  Future<Void> stop();
}
