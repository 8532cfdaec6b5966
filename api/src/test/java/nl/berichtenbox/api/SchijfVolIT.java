package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data directory's disk fills up under intake: the engine runs on its embedded PostgreSQL
 * with its data directory on a small file system of its own (a tmpfs, so this test needs the
 * right to mount: root, as in CI), which a filler file then all but fills (48 MB left, the guard's
 * minimum set to 16 MB). While the disk is full the engine answers writes with 503 and
 * Retry-After, never 500 and never a hang, says it is not ready, and still serves reads; when
 * space is freed it comes back by itself; every message answered 202 is stored and receipted
 * exactly once.
 *
 * <p>Runs where it may mount; {@code BERICHTENBOX_SCHIJFVOL_TEST=verplicht} (CI) makes a machine
 * where it may not a failure instead of a skip.
 */
class SchijfVolIT {

  /**
   * With the guard (16 MB) the engine stops writing before PostgreSQL fails; without it (0)
   * PostgreSQL's own "could not extend file" (SQLSTATE 53100) must be a 503 as well, as it is
   * with an external database whose disk fills.
   */
  @ParameterizedTest(name = "minimum {0} MB")
  @ValueSource(ints = {16, 0})
  void aFullDiskIsA503AndTheEngineComesBackWhenSpaceIsFreed(int minimumMb) throws Exception {
    Path mnt = Files.createTempDirectory("bbx-vol");
    boolean gemount = mount(mnt, "320m");
    if (!gemount && "verplicht".equals(System.getenv("BERICHTENBOX_SCHIJFVOL_TEST"))) {
      throw new AssertionError(
          "cannot mount a tmpfs for the full-disk test (needs root); BERICHTENBOX_SCHIJFVOL_TEST=verplicht");
    }
    Assumptions.assumeTrue(
        gemount, "cannot mount a tmpfs here (needs root): full-disk test skipped");
    Process engine = null;
    Path vuller = mnt.resolve("vuller");
    try {
      int port = Ports.free();
      Path data = mnt.resolve("data");
      Map<String, String> env = Map.of(
          "BERICHTENBOX_DATA_DIR",
          data.toString(),
          "BERICHTENBOX_HTTP_PORT",
          Integer.toString(port),
          "BERICHTENBOX_HTTP_INSTANCES",
          "1",
          "BERICHTENBOX_DATA_MIN_FREE_MB",
          Integer.toString(minimumMb));
      Api api = EngineProcess.api(env);
      engine = EngineProcess.start(env, "schijfvol-" + minimumMb);
      EngineProcess.awaitReady(api);
      Api.Afnemer a = api.newAfnemer();
      String bsn = api.newBurger(a);
      api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);

      // all but 48 MB of the file system taken by a filler file
      long vrij = Files.getFileStore(mnt).getUsableSpace();
      try (RandomAccessFile f = new RandomAccessFile(vuller.toFile(), "rw")) {
        byte[] blok = new byte[1 << 20];
        for (long i = 0; i < vrij / blok.length - 48; i++) {
          f.write(blok);
        }
      }

      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      Map<Integer, Integer> statussen = new TreeMap<>();
      List<String> zonderRetryAfter = new ArrayList<>();
      long einde = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int weigeringenOpRij = 0;
      while (System.nanoTime() < einde && weigeringenOpRij < 20) {
        JsonArray arr = new JsonArray();
        for (int i = 0; i < 200; i++) {
          arr.add(Api.bericht(bsn).put("berichtTekst", "x".repeat(2_000)));
        }
        Api.Resp r = api.post("/api/v1/batches", a.key(), Api.batch(arr));
        statussen.merge(r.status(), 1, Integer::sum);
        if (r.status() == 202) {
          arr.forEach(o -> acknowledged.add(((JsonObject) o).getString("berichtId")));
          weigeringenOpRij = 0;
        } else {
          weigeringenOpRij++;
          if (r.header("Retry-After") == null) {
            zonderRetryAfter.add(r.status() + " " + r.raw().body());
          }
        }
      }
      assertTrue(weigeringenOpRij >= 20, "the disk never filled: " + statussen);
      assertEquals(
          Set.of(202, 503), statussen.keySet(), "answers while the disk filled: " + statussen);
      assertEquals(List.of(), zonderRetryAfter);
      if (minimumMb > 0) {
        Api.await(
            "not ready while the disk is full",
            () -> api.get("/health/ready", null).status() == 503);
        JsonObject vol = api.get("/health/ready", null).expect(503).json();
        assertEquals("schijf", vol.getString("reden"));
        assertEquals("DOWN", vol.getString("schijf"));
        assertEquals("UP", vol.getString("postgresql"));
      }
      // reads go on: the afnemer's status and the citizen's mailbox
      api.get("/api/v1/berichten/" + acknowledged.iterator().next(), a.key()).expect(200);
      api.get("/api/v1/berichtenbox/berichten?limit=5", api.burgerToken(bsn)).expect(200);

      // space freed: the engine comes back by itself
      Files.delete(vuller);
      Api.await("ready again", () -> api.get("/health/ready", null).status() == 200);
      JsonObject na = Api.bericht(bsn);
      Api.await("intake again", () -> api.post("/api/v1/berichten", a.key(), na).status() == 202);
      acknowledged.add(na.getString("berichtId"));

      Map<String, Integer> receipts = new ConcurrentHashMap<>();
      Api.await("every acknowledged message receipted", () -> {
        receipts.clear();
        receipts.putAll(api.receiptCounts(a));
        return receipts.keySet().containsAll(acknowledged);
      });
      receipts.forEach((id, n) -> assertEquals(1, n, "receipts for " + id));
      System.out.println("SchijfVolIT (minimum " + minimumMb + " MB): " + acknowledged.size()
          + " acknowledged, answers " + statussen);
    } finally {
      if (engine != null) {
        engine.destroy();
        if (!engine.waitFor(60, TimeUnit.SECONDS)) {
          engine.destroyForcibly();
        }
      }
      Files.deleteIfExists(vuller);
      stopPostgres(mnt.resolve("data").resolve("pg"));
      new ProcessBuilder("umount", "-l", mnt.toString())
          .inheritIO()
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static boolean mount(Path dir, String size) {
    try {
      Process p = new ProcessBuilder(
              "mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
          .redirectErrorStream(true)
          .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  /** An embedded PostgreSQL left behind by a failed run would hold the mount. */
  private static void stopPostgres(Path pg) throws Exception {
    Path pid = pg.resolve("postmaster.pid");
    if (Files.exists(pid)) {
      long pm = Long.parseLong(Files.readAllLines(pid).get(0).trim());
      ProcessHandle.of(pm).ifPresent(ph -> {
        ph.destroy();
        ph.onExit().orTimeout(30, TimeUnit.SECONDS).join();
      });
    }
  }
}
