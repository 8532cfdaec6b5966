package nl.berichtenbox.api;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a load balancer does in front of several engines, in the test's JVM: it asks each engine's
 * {@code /health/ready} every 200 ms (as a balancer's health check) and hands out, in turn, only
 * engines that answered 200 the last time. A draining engine says 503 at once and leaves the
 * rotation; one that is not listening leaves it too.
 */
final class Balancer implements Supplier<Api>, AutoCloseable {
  private final List<Api> engines;
  private final boolean[] inRotatie;
  private final AtomicInteger volgende = new AtomicInteger();
  private final Thread controle;
  private volatile boolean stop;

  Balancer(List<Api> engines) {
    this.engines = engines;
    this.inRotatie = new boolean[engines.size()];
    Arrays.fill(inRotatie, true);
    controle = new Thread(
        () -> {
          while (!stop) {
            for (int i = 0; i < engines.size(); i++) {
              boolean gereed;
              try {
                gereed = engines.get(i).get("/health/ready", null).status() == 200;
              } catch (RuntimeException e) {
                gereed = false;
              }
              synchronized (inRotatie) {
                inRotatie[i] = gereed;
              }
            }
            try {
              Thread.sleep(200);
            } catch (InterruptedException e) {
              return;
            }
          }
        },
        "balancer");
    controle.setDaemon(true);
    controle.start();
  }

  /** The next engine in rotation (round robin); when none is, the next one at all. */
  @Override
  public Api get() {
    int start = Math.floorMod(volgende.getAndIncrement(), engines.size());
    synchronized (inRotatie) {
      for (int i = 0; i < engines.size(); i++) {
        int k = (start + i) % engines.size();
        if (inRotatie[k]) {
          return engines.get(k);
        }
      }
    }
    return engines.get(start);
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    controle.join(5_000);
  }
}
