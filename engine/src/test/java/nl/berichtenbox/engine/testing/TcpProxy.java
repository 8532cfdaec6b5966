package nl.berichtenbox.engine.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A TCP proxy between the engine and PostgreSQL, for faults a real database cannot be asked for
 * (as vertx-sql-client's own tests do): {@link #verbreek()} cuts every open connection as a
 * network failure would, {@link #weiger} refuses new ones as a server that is down does.
 * It binds port 0 and reads back the port it got.
 */
public final class TcpProxy implements AutoCloseable {
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean weiger;

  public TcpProxy(Vertx vertx, String host, int port) throws Exception {
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(binnen -> {
      if (weiger) {
        binnen.close();
        return;
      }
      binnen.pause();
      client.connect(port, host).onComplete(ar -> {
        if (ar.failed()) {
          binnen.close();
          return;
        }
        NetSocket buiten = ar.result();
        open.add(binnen);
        open.add(buiten);
        binnen.closeHandler(v -> {
          open.remove(binnen);
          buiten.close();
        });
        buiten.closeHandler(v -> {
          open.remove(buiten);
          binnen.close();
        });
        binnen.handler(buiten::write);
        buiten.handler(binnen::write);
        binnen.resume();
      });
    });
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.actualPort();
  }

  /** How many connections pass through it now (two sockets each). */
  public int verbindingen() {
    return open.size() / 2;
  }

  /** Cuts every open connection. */
  public void verbreek() {
    open.forEach(NetSocket::close);
  }

  /** While {@code true}, new connections are closed at once. */
  public void weiger(boolean weiger) {
    this.weiger = weiger;
  }

  @Override
  public void close() {
    verbreek();
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the proxy did not close", e);
    }
    client.close();
  }
}
