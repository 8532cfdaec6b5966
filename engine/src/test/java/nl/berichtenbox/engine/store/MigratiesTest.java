package nl.berichtenbox.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A migration, once released, is never changed: Flyway checks each applied one's checksum at every
 * start, and an engine whose migration differs by a comment refuses to start on every existing
 * database. A new migration adds its line here; a changed one fails this test.
 */
class MigratiesTest {
  private static final Map<String, String> UITGEBRACHT = new TreeMap<>(Map.ofEntries(
      Map.entry(
          "V1__foundation.sql", "9b151ab9083a10a590c810708b0d2d9d6a0ddf5eaf41be501ef27c8378199f28"),
      Map.entry(
          "V2__berichtenbox.sql",
          "626b5702550e0db38b876279c5a86937a5cd757f27fbb8c08a7790c0d989169d"),
      Map.entry(
          "V3__afnemerdiensten.sql",
          "96df42e78b1b4c53432f7131fc479de831e5ab7a5f81a90dbbb556b92274df50"),
      Map.entry("V4__push.sql", "c77da736b554f317927a2b77abe7e10b0d56ec416c32b2165bc8e9d37f43cc11"),
      Map.entry(
          "V5__abonnementservice.sql",
          "e5d5353b9f28c36438ba401a0410388caf95b4e09787fb990b14727fe543944c"),
      Map.entry(
          "V6__kafka_relay.sql",
          "948bc8a67ea5008679f0a9959d911a38527b4a3e846f84a2efe57e3e615bc752"),
      Map.entry(
          "V7__notificaties.sql",
          "7874975fa075ee47fb20ed3d601f18b6b483e257f66d282078821ffa99a505f6"),
      Map.entry(
          "V8__kafka_notificaties.sql",
          "bc5bc3ee9c2ddf2f40ce857f24cb508a3c54030a3b513474ec30f1074d892beb"),
      Map.entry("V9__sla.sql", "2939540afb6bccacd2f630c21f6c2c1db482703d037076e54014e85eb69961fb"),
      Map.entry(
          "V10__onderhoud_gereedheid.sql",
          "8f75dc2c3bb46f78aec1920dbf8c9ad17ef97c23544bc3ed5b508ac33b6adb5d"),
      Map.entry(
          "V11__proces_gereed.sql",
          "96b65265aa5edcf38010f385bc7ea232872627f6202a27299daf487cd730687e"),
      Map.entry(
          "V12__traceparent.sql",
          "a074c83132fa3d33d126d08653b33d4a60aacc4e9075b905ade92316f8d5c86f"),
      Map.entry(
          "V13__schrijfpad.sql",
          "b7847117f935d426180514cc59ec1ef1d966db76740e814cb0812f6890c83e18"),
      Map.entry(
          "V14__meelezen.sql", "b46f47b6b62385ea9ddb7461d96f4e64375d5627012d0892d209c2feb8d8486b"),
      Map.entry(
          "V15__testmodus.sql", "a2e62c23545d6e25e1e9137e6c1f9a946c1fa4e253e36c556b9d8ef793a8f158"),
      Map.entry(
          "V16__gebeurtenissen.sql",
          "b3654b2ee2876be6e7329f96e6402b4a92c66c2fc2ffac980cf7f787b50986d7")));

  @Test
  void noReleasedMigrationHasChanged() throws Exception {
    Map<String, String> nu = new TreeMap<>();
    for (String naam : UITGEBRACHT.keySet()) {
      try (InputStream in = MigratiesTest.class.getResourceAsStream("/db/migration/" + naam)) {
        nu.put(
            naam,
            in == null
                ? "missing"
                : HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
      }
    }
    assertEquals(UITGEBRACHT, nu);
  }

  @Test
  void everyMigrationIsListed() throws Exception {
    Path dir = Path.of(MigratiesTest.class.getResource("/db/migration").toURI());
    try (var files = Files.list(dir)) {
      assertEquals(
          UITGEBRACHT.keySet(),
          new TreeSet<>(files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".sql"))
              .toList()),
          "a migration without its line here, or a line without its migration");
    }
  }
}
