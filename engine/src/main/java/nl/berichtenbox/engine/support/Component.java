package nl.berichtenbox.engine.support;

import io.vertx.core.Future;

/**
 * A part of the engine with a life of its own (a loop, a relay, a consumer, the pool): {@code
 * Engine} starts each in the order of their dependencies and stops them in the reverse order, and
 * asks the parts the process depends on whether they can do their work ({@code Readiness}).
 */
public interface Component {
  /** Starts its work; returns at once (work goes to Vert.x), called from the launcher's thread. */
  void start();

  /** Finishes the work under way and stops; the future completes when it has. */
  Future<Void> stop();

  /**
   * Whether this part can do its work now: completes within a bound of its own and never fails. A
   * part with no check of its own is ready while it runs.
   */
  default Future<Boolean> ready() {
    return Future.succeededFuture(true);
  }
}
