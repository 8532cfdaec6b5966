package nl.berichtenbox.engine.notificaties;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.ext.mail.mailencoder.MailEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import nl.berichtenbox.engine.config.NotificatieConfig;

/** Where e-mails go: an SMTP server, or {@code .eml} files when none is configured. */
interface MailSender {

  /** Hands one e-mail over; fails with {@link Permanent} when retrying cannot help. */
  Future<Void> send(long id, MailMessage mail);

  Future<Void> close();

  /** A refusal that will not change on retry (SMTP 5xx). */
  final class Permanent extends RuntimeException {
    Permanent(String message) {
      super(message, null, false, false);
    }
  }

  static MailSender of(Vertx vertx, NotificatieConfig cfg, Path mailDir) {
    return cfg.smtpUrl() == null
        ? new Eml(vertx, mailDir)
        : new Smtp(vertx, cfg.smtpUrl(), cfg.smtpCa(), cfg.smtpConnections());
  }

  /**
   * vertx-mail-client: pooled, kept-alive connections; STARTTLS where the server offers it (or TLS
   * from the start with smtps), the server's certificate and host name verified.
   */
  final class Smtp implements MailSender {
    private final MailClient client;

    Smtp(Vertx vertx, String url, String ca, int verbindingen) {
      URI u = URI.create(url);
      boolean ssl = "smtps".equals(u.getScheme());
      MailConfig cfg = new MailConfig()
          .setHostname(u.getHost())
          .setPort(u.getPort() > 0 ? u.getPort() : ssl ? 465 : 25)
          .setSsl(ssl)
          .setStarttls(ssl ? StartTLSOptions.DISABLED : StartTLSOptions.OPTIONAL)
          .setMaxPoolSize(verbindingen)
          .setKeepAlive(true)
          .setPipelining(false)
          .setConnectTimeout(10_000);
      cfg.setHostnameVerificationAlgorithm("HTTPS");
      if (ca != null) {
        cfg.setTrustOptions(new PemTrustOptions().addCertPath(ca));
      }
      if (u.getRawUserInfo() != null) {
        String[] up = u.getRawUserInfo().split(":", 2);
        cfg.setLogin(LoginOption.REQUIRED)
            .setUsername(URLDecoder.decode(up[0], StandardCharsets.UTF_8))
            .setPassword(up.length > 1 ? URLDecoder.decode(up[1], StandardCharsets.UTF_8) : "");
      } else {
        cfg.setLogin(LoginOption.DISABLED);
      }
      this.client = MailClient.create(vertx, cfg);
    }

    @Override
    public Future<Void> send(long id, MailMessage mail) {
      return client.sendMail(mail).<Void>mapEmpty().recover(e -> {
        if (e instanceof SMTPException s && s.isPermanent()) {
          return Future.failedFuture(new Permanent("SMTP " + s.getReplyMessage()));
        }
        return Future.failedFuture(e);
      });
    }

    @Override
    public Future<Void> close() {
      return client.close();
    }
  }

  /** The embedded default: each e-mail a file {@code <id>.eml} under {@code DATA_DIR/mail}. */
  final class Eml implements MailSender {
    private final Vertx vertx;
    private final Path dir;

    Eml(Vertx vertx, Path dir) {
      this.vertx = vertx;
      this.dir = dir;
      try {
        Files.createDirectories(dir); // at construction, on the launcher's thread
      } catch (IOException e) {
        throw new UncheckedIOException("mail directory " + dir + " cannot be made", e);
      }
    }

    @Override
    public Future<Void> send(long id, MailMessage mail) {
      String eml = new MailEncoder(mail, "berichtenbox.local").encode();
      return vertx.fileSystem().writeFile(dir.resolve(id + ".eml").toString(), Buffer.buffer(eml));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
