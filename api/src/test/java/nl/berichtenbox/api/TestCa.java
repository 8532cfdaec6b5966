package nl.berichtenbox.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made here by openssl, in a directory of its own: {@code ca.crt} and
 * {@code ca.key}, and certificates it signs as {@code NAME.crt} / {@code NAME.key}. For the tests of
 * TLS towards afnemers, the SMTP relay and the database.
 */
final class TestCa {
  private final Path dir;

  private TestCa(Path dir) {
    this.dir = dir;
  }

  /** A new CA whose certificate says {@code subject}. */
  static TestCa nieuw(String subject) throws Exception {
    TestCa ca = new TestCa(Files.createTempDirectory("bbx-ca"));
    ca.openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        subject);
    return ca;
  }

  /** A certificate signed by this CA, with the X.509 extensions {@code ext} (e.g. subjectAltName=...). */
  Path cert(String name, String subject, String ext) throws Exception {
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        subject);
    Files.writeString(dir.resolve(name + ".ext"), ext + "\n");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        name + ".crt",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
    return dir.resolve(name + ".crt");
  }

  /** Runs openssl in the CA's directory; fails the test with its output when it fails. */
  void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", cmd) + ": " + out);
    }
  }

  /** The CA's certificate (PEM). */
  Path crt() {
    return dir.resolve("ca.crt");
  }

  /** A file in the CA's directory: NAME.crt, NAME.key. */
  Path file(String name) {
    return dir.resolve(name);
  }
}
