package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The restore drill (SNO: RTO 4 h, backups kept 7 days): an engine process on its own embedded
 * database takes 300 messages; a backup is taken while it keeps taking more; the engine is stopped
 * and its database destroyed; the backup is restored; the engine started on it has every message
 * acknowledged before the backup began, processed, each with one receipt.
 */
class BackupHerstelIT {

  @Test
  void aBackupTakenWhileTheEngineRunsRestoresEveryAcknowledgedMessage() throws Exception {
    Path data = Files.createTempDirectory("bbx-drill");
    int port = Ports.free();
    Map<String, String> env = new HashMap<>(Map.of(
        "BERICHTENBOX_DATA_DIR",
        data.toString(),
        "BERICHTENBOX_HTTP_PORT",
        Integer.toString(port),
        "BERICHTENBOX_HTTP_INSTANCES",
        "1"));
    Process engine = EngineProcess.start(env, "drill-1");
    Api api = EngineProcess.api(env);
    List<String> voor = new ArrayList<>();
    Api.Afnemer a;
    String backup;
    try {
      EngineProcess.awaitReady(api);
      a = api.newAfnemer();
      String bsn = api.newBurger(a);
      voor.addAll(api.stuurBatches(a, bsn, 3, 100));

      // intake goes on while the backup is taken
      String out;
      Set<String> tijdens;
      try (Intakebelasting zender = new Intakebelasting(() -> api, a, List.of(bsn), 1).start()) {
        out = EngineProcess.cli(env, "drill-backup", "backup");
        zender.close();
        tijdens = zender.geaccepteerd();
      }
      assertFalse(tijdens.isEmpty(), "messages were taken in during the backup");
      assertTrue(out.contains("online backup of the running engine's database"), out);
      backup = out.lines()
          .filter(l -> l.startsWith("backup "))
          .findFirst()
          .orElseThrow()
          .replaceFirst("^backup (.*): \\d+ MB in .*$", "$1");
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(backup))),
          "a backup of personal data is the engine user's only");
    } finally {
      engine.destroy();
      engine.waitFor(60, TimeUnit.SECONDS);
    }

    // the disaster: the database is gone
    try (var walk = Files.walk(data.resolve("pg"))) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    String out = EngineProcess.cli(env, "drill-restore", "restore", backup);
    assertTrue(out.matches("(?s).*restored berichtenbox-\\d{8}-\\d{6}: \\d+ messages.*"), out);

    Process opnieuw = EngineProcess.start(env, "drill-2");
    try {
      EngineProcess.awaitReady(api);
      api.elkAfgeleverdMetEenOntvangstbewijs(a, voor);
    } finally {
      opnieuw.destroy();
      opnieuw.waitFor(60, TimeUnit.SECONDS);
    }
  }
}
