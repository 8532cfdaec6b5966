package nl.berichtenbox.engine.store;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code BERICHTENBOX_DB_URL} as libpq reads a connection URI:
 * {@code postgresql://[user[:password]@]host[:port][,host[:port]...][/database][?param=value&...]}.
 *
 * <p>Each host's options come from Vert.x's {@link PgConnectOptions#fromUri} (user, password,
 * database, {@code sslmode}, {@code application_name}); what it does not read is read here: it
 * takes one host only (its parser says so), it ignores {@code sslrootcert} (so {@code verify-full}
 * would have nothing to verify against) and it files {@code target_session_attrs} and
 * {@code connect_timeout} away unread. Parameters libpq knows that the engine does not support
 * (client certificates, say) are refused by name rather than silently dropped.
 *
 * @param hosts the hosts in the order given; libpq tries them in this order
 * @param readWrite {@code target_session_attrs=read-write} (or {@code primary}): only a host that
 *     takes writes will do; with several hosts the engine then follows the primary over a failover
 * @param sslRootCert the CA file ({@code sslrootcert}) the server's certificate is checked against
 */
public record DatabaseUrl(
    List<Host> hosts,
    String database,
    String user,
    String password,
    SslMode sslMode,
    Path sslRootCert,
    boolean readWrite,
    Duration connectTimeout,
    String applicationName) {

  /** One host and port of the URL. */
  public record Host(String naam, int port) {
    @Override
    public String toString() {
      return (naam.contains(":") ? "[" + naam + "]" : naam) + ":" + port;
    }
  }

  private static final Pattern URI = Pattern.compile(
      "^postgres(?:ql)?://(?:(?<userinfo>[^@/?]*)@)?(?<hosts>[^/?]*)(?:/(?<db>[^?]*))?(?:\\?(?<params>.*))?$");
  private static final Pattern HOST = Pattern.compile(
      "^(?:\\[(?<v6>[0-9a-fA-F:.]+)]|(?<naam>[^:\\[\\]]+))(?::(?<poort>\\d{1,5}))?$");
  /** Parameters handed on to Vert.x's parser, one host at a time. */
  private static final List<String> VOOR_VERTX = List.of("sslmode", "application_name");

  private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Parses and checks a URL; the exception's message says what is wrong, without the password. */
  public static DatabaseUrl parse(String url) {
    Matcher m = URI.matcher(url == null ? "" : url.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("must look like postgresql://user:pw@host:port/db "
          + "(several hosts as host1:port1,host2:port2)");
    }
    String userinfo = m.group("userinfo");
    String hostsDeel = m.group("hosts");
    String db =
        m.group("db") == null || m.group("db").isEmpty() ? "postgres" : decode(m.group("db"));
    Map<String, String> params = new LinkedHashMap<>();
    if (m.group("params") != null && !m.group("params").isEmpty()) {
      for (String pair : m.group("params").split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("parameter '" + pair + "' has no value (name=value)");
        }
        String name = pair.substring(0, eq).toLowerCase(Locale.ROOT);
        if (params.put(name, decode(pair.substring(eq + 1))) != null) {
          throw new IllegalArgumentException("parameter " + name + " is given twice");
        }
      }
    }
    for (String name : params.keySet()) {
      if (!List.of(
              "sslmode",
              "sslrootcert",
              "target_session_attrs",
              "connect_timeout",
              "application_name")
          .contains(name)) {
        throw new IllegalArgumentException(
            "parameter " + name + " is not supported (supported: sslmode, sslrootcert, "
                + "target_session_attrs, connect_timeout, application_name)");
      }
    }

    if (params.containsKey("sslmode")
        && Arrays.stream(SslMode.values())
            .noneMatch(mode -> mode.value.equalsIgnoreCase(params.get("sslmode")))) {
      throw new IllegalArgumentException("sslmode '" + params.get("sslmode")
          + "' is not one of disable, allow, prefer, " + "require, verify-ca, verify-full");
    }
    List<Host> hosts = new ArrayList<>();
    if (hostsDeel.isEmpty()) {
      throw new IllegalArgumentException(
          "names no host (a Unix socket is not supported: give host:port)");
    }
    for (String h : hostsDeel.split(",", -1)) {
      Matcher hm = HOST.matcher(h);
      if (!hm.matches()) {
        throw new IllegalArgumentException(
            "host '" + h + "' is not host, host:port or [ipv6]:port");
      }
      int port = hm.group("poort") == null ? 5432 : Integer.parseInt(hm.group("poort"));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "port " + port + " of host '" + h + "' is not between 1 and 65535");
      }
      hosts.add(new Host(hm.group("v6") != null ? hm.group("v6") : decode(hm.group("naam")), port));
    }

    // one host's URI for Vert.x's parser: the user, the database and the parameters it reads
    StringBuilder enkel = new StringBuilder("postgresql://");
    if (userinfo != null && !userinfo.isEmpty()) {
      enkel.append(userinfo).append('@');
    }
    enkel
        .append("localhost/")
        .append(m.group("db") == null || m.group("db").isEmpty() ? "postgres" : m.group("db"));
    String sep = "?";
    for (String name : VOOR_VERTX) {
      if (params.containsKey(name)) {
        enkel
            .append(sep)
            .append(name)
            .append('=')
            .append(URLEncoder.encode(params.get(name), StandardCharsets.UTF_8));
        sep = "&";
      }
    }
    PgConnectOptions basis;
    try {
      basis = PgConnectOptions.fromUri(enkel.toString());
    } catch (IllegalArgumentException e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("user, password, database or sslmode cannot be read: "
          + String.valueOf(c.getMessage()).replace(enkel.toString(), "(the URL)"));
    }
    String user =
        userinfo == null || userinfo.isEmpty() ? System.getProperty("user.name") : basis.getUser();
    String password = userinfo != null && userinfo.contains(":") ? basis.getPassword() : null;
    SslMode sslMode = params.containsKey("sslmode") ? basis.getSslMode() : SslMode.DISABLE;
    Path rootCert = params.containsKey("sslrootcert") ? Path.of(params.get("sslrootcert")) : null;
    if ((sslMode == SslMode.VERIFY_CA || sslMode == SslMode.VERIFY_FULL) && rootCert == null) {
      throw new IllegalArgumentException(
          "sslmode=" + sslMode.value + " needs sslrootcert=<PEM file of the CA>");
    }
    if (rootCert != null && !Files.isReadable(rootCert)) {
      throw new IllegalArgumentException("sslrootcert '" + rootCert + "' is not a readable file");
    }
    if (rootCert != null
        && (sslMode == SslMode.DISABLE || sslMode == SslMode.ALLOW || sslMode == SslMode.PREFER)) {
      throw new IllegalArgumentException(
          "sslrootcert is only used with sslmode=verify-ca or verify-full (or require)");
    }
    boolean readWrite = false;
    String tsa = params.getOrDefault("target_session_attrs", "any").toLowerCase(Locale.ROOT);
    switch (tsa) {
      case "any" -> readWrite = false;
      case "read-write", "primary" -> readWrite = true;
      default ->
        throw new IllegalArgumentException("target_session_attrs '" + tsa
            + "' is not supported (any, read-write or primary: the engine writes)");
    }
    Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    if (params.containsKey("connect_timeout")) {
      try {
        int s = Integer.parseInt(params.get("connect_timeout"));
        if (s < 1 || s > 3600) {
          throw new NumberFormatException();
        }
        connectTimeout = Duration.ofSeconds(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("connect_timeout '" + params.get("connect_timeout")
            + "' must be whole seconds between 1 and 3600");
      }
    }
    String applicationName = params.getOrDefault("application_name", "berichtenbox");
    return new DatabaseUrl(
        List.copyOf(hosts),
        basis.getDatabase() != null ? basis.getDatabase() : db,
        user,
        password,
        sslMode,
        rootCert,
        readWrite,
        connectTimeout,
        applicationName);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Whether the engine must look for the writable host itself (several hosts, or read-write asked). */
  public boolean followsPrimary() {
    return hosts.size() > 1 || readWrite;
  }

  /** The longest statement the client keeps prepared on a connection (characters). */
  public static final int PREPARED_STATEMENT_SQL_LIMIT = 16_384;

  /** The Vert.x options of one host. */
  public PgConnectOptions connectOptions(Host host) {
    PgConnectOptions o = new PgConnectOptions()
        .setHost(host.naam())
        .setPort(host.port())
        .setDatabase(database)
        .setUser(user)
        .setCachePreparedStatements(true)
        // the client caches no statement over 2 048 characters by default: it then parses and
        // plans such a statement at every execution (the processing round's, about 6 700: its
        // planning cost more than its execution, run-ontleding). VerwerkerTest holds the round to
        // it.
        .setPreparedStatementCacheSqlLimit(PREPARED_STATEMENT_SQL_LIMIT)
        .setPipeliningLimit(256)
        .setSslMode(sslMode);
    if (password != null) {
      o.setPassword(password);
    }
    o.addProperty("application_name", applicationName);
    if (sslMode != SslMode.DISABLE) {
      ClientSSLOptions ssl = new ClientSSLOptions();
      if (sslRootCert != null) {
        ssl.setTrustOptions(new PemTrustOptions().addCertPath(sslRootCert.toString()));
      } else if (sslMode == SslMode.REQUIRE) {
        ssl.setTrustAll(true); // libpq's require: encrypted, the certificate not checked
      }
      if (sslMode == SslMode.VERIFY_FULL) {
        ssl.setHostnameVerificationAlgorithm("HTTPS");
      } else {
        ssl.setHostnameVerificationAlgorithm("");
      }
      o.setSslOptions(ssl);
    }
    return o;
  }

  /** The JDBC URL for Flyway, backups and seeding: the same hosts, the same rules. */
  public String jdbcUrl() {
    StringBuilder sb = new StringBuilder("jdbc:postgresql://");
    for (int i = 0; i < hosts.size(); i++) {
      sb.append(i > 0 ? "," : "").append(hosts.get(i));
    }
    return sb.append('/')
        .append(URLEncoder.encode(database, StandardCharsets.UTF_8))
        .toString();
  }

  /** The JDBC driver's properties: user, password, TLS, primary only, timeouts. */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("sslmode", sslMode.value);
    if (sslRootCert != null) {
      p.setProperty("sslrootcert", sslRootCert.toString());
    }
    if (readWrite) {
      p.setProperty("targetServerType", "primary");
    }
    p.setProperty("connectTimeout", Long.toString(connectTimeout.toSeconds()));
    p.setProperty("ApplicationName", applicationName);
    return p;
  }

  /** The URL with the password masked: for logs and messages. */
  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("postgresql://").append(user).append(password != null ? ":***@" : "@");
    for (int i = 0; i < hosts.size(); i++) {
      sb.append(i > 0 ? "," : "").append(hosts.get(i));
    }
    sb.append('/').append(database).append("?sslmode=").append(sslMode.value);
    if (readWrite) {
      sb.append("&target_session_attrs=read-write");
    }
    return sb.toString();
  }
}
