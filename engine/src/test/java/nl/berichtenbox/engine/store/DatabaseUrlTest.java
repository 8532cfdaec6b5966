package nl.berichtenbox.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** BERICHTENBOX_DB_URL read as libpq reads a connection URI. */
class DatabaseUrlTest {

  @Test
  void oneHostWithUserPasswordAndDatabase() {
    DatabaseUrl u = DatabaseUrl.parse("postgresql://bbx:geheim%40123@db.example:6543/berichten");
    assertEquals(List.of(new DatabaseUrl.Host("db.example", 6543)), u.hosts());
    assertEquals("bbx", u.user());
    assertEquals("geheim@123", u.password());
    assertEquals("berichten", u.database());
    assertEquals(SslMode.DISABLE, u.sslMode());
    assertFalse(u.followsPrimary());
    PgConnectOptions o = u.connectOptions(u.hosts().get(0));
    assertEquals("db.example", o.getHost());
    assertEquals(6543, o.getPort());
    assertEquals("geheim@123", o.getPassword());
    assertEquals("berichtenbox", o.getProperties().get("application_name"));
    assertEquals("jdbc:postgresql://db.example:6543/berichten", u.jdbcUrl());
  }

  @Test
  void defaultsAsTheEngineAlwaysHad() {
    DatabaseUrl u = DatabaseUrl.parse("postgres://h");
    assertEquals(List.of(new DatabaseUrl.Host("h", 5432)), u.hosts());
    assertEquals("postgres", u.database());
    assertEquals(System.getProperty("user.name"), u.user());
    assertNull(u.password());
    assertEquals(Duration.ofSeconds(10), u.connectTimeout());
  }

  @Test
  void severalHostsInOrderAndReadWrite() {
    DatabaseUrl u = DatabaseUrl.parse(
        "postgresql://bbx@h1:5432,h2:5433,[::1]:5434/db?target_session_attrs=read-write&connect_timeout=3");
    assertEquals(
        List.of(
            new DatabaseUrl.Host("h1", 5432),
            new DatabaseUrl.Host("h2", 5433),
            new DatabaseUrl.Host("::1", 5434)),
        u.hosts());
    assertTrue(u.readWrite());
    assertTrue(u.followsPrimary());
    assertEquals(Duration.ofSeconds(3), u.connectTimeout());
    assertEquals("jdbc:postgresql://h1:5432,h2:5433,[::1]:5434/db", u.jdbcUrl());
    Properties p = u.jdbcProperties();
    assertEquals("primary", p.getProperty("targetServerType"));
    assertEquals("3", p.getProperty("connectTimeout"));
    assertEquals("::1", u.connectOptions(u.hosts().get(2)).getHost());
  }

  @Test
  void severalHostsAreFollowedEvenWithoutReadWrite() {
    assertTrue(DatabaseUrl.parse("postgresql://u@a,b/db").followsPrimary());
    assertTrue(
        DatabaseUrl.parse("postgresql://u@a/db?target_session_attrs=primary").readWrite());
  }

  @Test
  void verifyFullChecksTheHostNameAgainstTheGivenCa() throws Exception {
    Path ca = Files.createTempFile("ca", ".pem");
    DatabaseUrl u =
        DatabaseUrl.parse("postgresql://u@db.example/db?sslmode=verify-full&sslrootcert=" + ca);
    assertEquals(SslMode.VERIFY_FULL, u.sslMode());
    PgConnectOptions o = u.connectOptions(u.hosts().get(0));
    assertEquals(SslMode.VERIFY_FULL, o.getSslMode());
    assertEquals("HTTPS", o.getSslOptions().getHostnameVerificationAlgorithm());
    assertEquals(
        List.of(ca.toString()),
        ((PemTrustOptions) o.getSslOptions().getTrustOptions()).getCertPaths());
    assertEquals("verify-full", u.jdbcProperties().getProperty("sslmode"));
    assertEquals(ca.toString(), u.jdbcProperties().getProperty("sslrootcert"));
  }

  @Test
  void theMaskedFormHidesThePassword() {
    String s = DatabaseUrl.parse("postgresql://bbx:zeergeheim@h1,h2/db").toString();
    assertFalse(s.contains("zeergeheim"), s);
    assertTrue(s.contains("bbx:***@h1:5432,h2:5432/db"), s);
  }

  @Test
  void badUrlsAreRefusedWithTheReason() {
    assertMessage("must look like", "mysql://h/db");
    assertMessage("names no host", "postgresql:///db");
    assertMessage("host 'h1:99999'", "postgresql://h1:99999/db");
    assertMessage("parameter sslcert is not supported", "postgresql://h/db?sslcert=c.pem");
    assertMessage("needs sslrootcert", "postgresql://h/db?sslmode=verify-full");
    assertMessage(
        "is not a readable file", "postgresql://h/db?sslmode=verify-ca&sslrootcert=/geen/ca.pem");
    assertMessage("sslmode 'zeker'", "postgresql://h/db?sslmode=zeker");
    assertMessage(
        "target_session_attrs 'read-only'", "postgresql://h/db?target_session_attrs=read-only");
    assertMessage("connect_timeout 'x'", "postgresql://h/db?connect_timeout=x");
    assertMessage("given twice", "postgresql://h/db?sslmode=disable&sslmode=require");
    assertMessage("has no value", "postgresql://h/db?sslmode");
  }

  @Test
  void aBadUrlDoesNotEchoItsPassword() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> DatabaseUrl.parse("postgresql://u:zeergeheim@h/db?sslmode=zeker"));
    assertFalse(e.getMessage().contains("zeergeheim"), e.getMessage());
  }

  private static void assertMessage(String expected, String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(url), url);
    assertTrue(e.getMessage().contains(expected), url + ": " + e.getMessage());
  }
}
