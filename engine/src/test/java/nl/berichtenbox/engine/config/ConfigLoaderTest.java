package nl.berichtenbox.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @Test
  void defaultsMatchTheContract() {
    EngineConfig c = ConfigLoader.load(List.of(), Map.of());
    assertEquals(8080, c.httpPort());
    assertEquals(Path.of("./data"), c.dataDir());
    assertTrue(c.embeddedDatabase());
    assertEquals("23:00-07:00", c.abonnementenVenster());
    assertTrue(c.adminTokenGenerated());
    assertTrue(c.portalJwtSecret().length() >= 43);
    assertEquals(Duration.ofDays(7), c.verwerkingsberichtenBewaartermijn());
  }

  /**
   * The connection cap: as set, or (0, the default) the descriptors less 1 024 (a quarter of fewer
   * than 4 096), never under 64.
   */
  @Test
  void connectionCapIsTheDescriptorsLessAReserve() {
    assertEquals(64_512, ConfigLoader.connectionCap(65_536));
    assertEquals(18_976, ConfigLoader.connectionCap(20_000));
    assertEquals(768, ConfigLoader.connectionCap(1_024));
    assertEquals(64, ConfigLoader.connectionCap(80));
    assertEquals(Integer.MAX_VALUE, ConfigLoader.connectionCap(-1));
    EngineConfig set = ConfigLoader.load(List.of(), Map.of("BERICHTENBOX_MAX_CONNECTIONS", "300"));
    assertEquals(300, set.maxConnections());
    EngineConfig auto = ConfigLoader.load(List.of(), Map.of());
    assertTrue(auto.maxConnections() >= 64, "default " + auto.maxConnections());
    assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(List.of(), Map.of("BERICHTENBOX_MAX_CONNECTIONS", "-1")));
  }

  /**
   * The two spacings: processing's rounds (50 ms by default, zero a round on every wake-up) and
   * intake's group commits (5 ms, zero begin whenever a slot is free); zero allowed, never negative.
   */
  @Test
  void intervalsMayBeZeroButNotNegative() {
    interval("verwerkingMinInterval", Duration.ofMillis(50), EngineConfig::verwerkingMinInterval);
    interval("groupCommitMinInterval", Duration.ofMillis(5), EngineConfig::groupCommitMinInterval);
  }

  private static void interval(
      String key, Duration byDefault, Function<EngineConfig, Duration> get) {
    String env = "BERICHTENBOX_" + key.replaceAll("([A-Z])", "_$1").toUpperCase(Locale.ROOT);
    String flag = "--" + key.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    assertEquals(byDefault, get.apply(ConfigLoader.load(List.of(), Map.of())));
    assertEquals(Duration.ZERO, get.apply(ConfigLoader.load(List.of(), Map.of(env, "PT0S"))));
    assertEquals(
        Duration.ofMillis(200), get.apply(ConfigLoader.load(List.of(flag + "=PT0.2S"), Map.of())));
    ConfigException e = assertThrows(
        ConfigException.class, () -> ConfigLoader.load(List.of(), Map.of(env, "-PT0.001S")));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  @Test
  void fileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(yaml, "httpPort: 9001\ndbPoolSize: 3\nabonnementenVenster: altijd\n");
    EngineConfig fileOnly = ConfigLoader.load(List.of("--config", yaml.toString()), Map.of());
    assertEquals(9001, fileOnly.httpPort());
    assertEquals(3, fileOnly.dbPoolSize());
    EngineConfig env =
        ConfigLoader.load(List.of("--config=" + yaml), Map.of("BERICHTENBOX_HTTP_PORT", "9002"));
    assertEquals(9002, env.httpPort());
    assertEquals(3, env.dbPoolSize());
    EngineConfig flag = ConfigLoader.load(
        List.of("--config=" + yaml, "--http-port=9003"),
        Map.of(
            "BERICHTENBOX_HTTP_PORT",
            "9002",
            "BERICHTENBOX_ADMIN_TOKEN",
            "a-long-enough-admin-token"));
    assertEquals(9003, flag.httpPort());
    assertFalse(flag.adminTokenGenerated());
    assertEquals("altijd", flag.abonnementenVenster());
  }

  @Test
  void yamlValuesAreReadAsTheTextWrittenNotAsYaml11Types(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(
        yaml,
        "adminToken: 0x1F2E3D4C5B6A79880\nportalJwtSecret: 1e5000000000000000000000000000000000000000000\n"
            + "abonnementenVenster: altijd\n");
    EngineConfig c = ConfigLoader.load(List.of("--config", yaml.toString()), Map.of());
    assertEquals("0x1F2E3D4C5B6A79880", c.adminToken(), "not the number 0x1F2E…");
    assertEquals(
        "1e5000000000000000000000000000000000000000000", c.portalJwtSecret(), "not a float");
    assertFalse(c.adminTokenGenerated());

    Files.writeString(yaml, "adminToken: ~\n");
    ConfigException tilde = assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(List.of("--config", yaml.toString()), Map.of()));
    assertTrue(
        tilde.getMessage().contains("adminToken"),
        "~ is the text ~ (too short), not 'generate one': " + tilde.getMessage());

    Files.writeString(yaml, "adminToken:\nhttpPort: 9001\n");
    EngineConfig leeg = ConfigLoader.load(List.of("--config", yaml.toString()), Map.of());
    assertTrue(leeg.adminTokenGenerated(), "a setting with no value is not set");
    assertEquals(9001, leeg.httpPort());

    Files.writeString(yaml, "httpPort: [1, 2]\n");
    ConfigException lijst = assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(List.of("--config", yaml.toString()), Map.of()));
    assertTrue(lijst.getMessage().contains("'httpPort' must be one value"), lijst.getMessage());
  }

  @Test
  void oldNamesStillWorkWithAWarningAndTheNewNameWins(@TempDir Path dir) throws Exception {
    List<String> waarschuwingen = new ArrayList<>();
    Path yaml = dir.resolve("oud.yaml");
    Files.writeString(yaml, "ontvangstbewijsBewaartermijn: P9D\nhttpKopTimeout: PT7S\n");
    EngineConfig c = ConfigLoader.load(
        List.of("--config", yaml.toString(), "--afsluit-wachttijd=PT3S"),
        Map.of("BERICHTENBOX_SMTP_VERBINDINGEN", "5"),
        waarschuwingen::add);
    assertEquals(Duration.ofDays(9), c.verwerkingsberichtenBewaartermijn());
    assertEquals(Duration.ofSeconds(7), c.httpHeadTimeout());
    assertEquals(Duration.ofSeconds(3), c.drainDelay());
    assertEquals(5, c.notificaties().smtpConnections());
    assertEquals(4, waarschuwingen.size(), waarschuwingen.toString());
    assertTrue(
        waarschuwingen.stream()
            .anyMatch(w -> w.contains("'httpKopTimeout' is an old name: use 'httpHeadTimeout'")),
        waarschuwingen.toString());
    assertTrue(
        waarschuwingen.contains("flag --afsluit-wachttijd is an old name: use --drain-delay"),
        waarschuwingen.toString());
    assertTrue(
        waarschuwingen.contains(
            "environment variable BERICHTENBOX_SMTP_VERBINDINGEN is an old name: use "
                + "BERICHTENBOX_SMTP_CONNECTIONS"),
        waarschuwingen.toString());

    Files.writeString(yaml, "httpKopTimeout: PT7S\nhttpHeadTimeout: PT8S\n");
    EngineConfig beide = ConfigLoader.load(
        List.of("--config", yaml.toString(), "--drain-delay=PT4S", "--afsluit-wachttijd=PT3S"),
        Map.of("BERICHTENBOX_SMTP_VERBINDINGEN", "5", "BERICHTENBOX_SMTP_CONNECTIONS", "6"),
        w -> {});
    assertEquals(Duration.ofSeconds(8), beide.httpHeadTimeout());
    assertEquals(Duration.ofSeconds(4), beide.drainDelay());
    assertEquals(6, beide.notificaties().smtpConnections());
  }

  @Test
  void invalidSettingsAreNamedWithTheirSource(@TempDir Path dir) throws Exception {
    ConfigException e = assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(
            List.of(),
            Map.of(
                "BERICHTENBOX_HTTP_PORT",
                "abc",
                "BERICHTENBOX_ABONNEMENTEN_VENSTER",
                "24:00-07:00")));
    assertTrue(
        e.getMessage().contains("BERICHTENBOX_HTTP_PORT (httpPort, from environment variable"),
        e.getMessage());
    assertTrue(e.getMessage().contains("BERICHTENBOX_ABONNEMENTEN_VENSTER"), e.getMessage());
    ConfigException f = assertThrows(
        ConfigException.class, () -> ConfigLoader.load(List.of("--no-such=1"), Map.of()));
    assertTrue(f.getMessage().contains("--no-such"));
    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, "httpPoort: 1\n");
    ConfigException g = assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(List.of("--config", yaml.toString()), Map.of()));
    assertTrue(g.getMessage().contains("unknown setting 'httpPoort'"));
    assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(List.of(), Map.of("BERICHTENBOX_PORTAL_JWT_SECRET", "short")));
    ConfigException h = assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(
            List.of(),
            Map.of("BERICHTENBOX_ONDERHOUDSVENSTERS", "NACHT 2 zondag 23:00-03:00 altijd")));
    assertTrue(
        h.getMessage().contains("BERICHTENBOX_ONDERHOUDSVENSTERS")
            && h.getMessage().contains("NACHT 2"),
        h.getMessage());
    assertEquals(
        "NACHT",
        ConfigLoader.load(
                List.of(),
                Map.of("BERICHTENBOX_ONDERHOUDSVENSTERS", "NACHT 2 zondag 23:00-03:00 downtime"))
            .onderhoudsvensters()
            .regels()
            .get(0)
            .soort());
    assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(
            List.of(), Map.of("BERICHTENBOX_VERWERKINGSBERICHTEN_BEWAARTERMIJN", "P1D")));
  }
}
