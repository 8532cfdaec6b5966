package nl.berichtenbox.engine.kafka;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.support.Component;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka cluster as the process sees it, for its readiness: ready while the cluster answers a
 * metadata request. Its own admin client, so that the probe never waits behind the intake's
 * consumer or the relays' producer.
 */
public final class KafkaCluster implements Component {
  private static final int REQUEST_TIMEOUT_MS = 2_000;
  private static final long READY_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final String bootstrap;
  private volatile Admin admin;

  public KafkaCluster(Vertx vertx, String bootstrap) {
    this.vertx = vertx;
    this.bootstrap = bootstrap;
  }

  @Override
  public void start() {
    admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS));
  }

  /** Closes the admin client on a worker thread (its close waits for its requests). */
  @Override
  public Future<Void> stop() {
    Admin a = admin;
    admin = null;
    if (a == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(
        () -> {
          a.close(Duration.ofSeconds(2));
          return null;
        },
        false);
  }

  /** Whether the cluster answered with its id within three seconds. */
  @Override
  public Future<Boolean> ready() {
    Admin a = admin;
    if (a == null) {
      return Future.succeededFuture(false);
    }
    Promise<Boolean> p = Promise.promise();
    a.describeCluster().clusterId().whenComplete((id, e) -> p.tryComplete(e == null && id != null));
    return p.future().timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS).otherwise(false);
  }
}
