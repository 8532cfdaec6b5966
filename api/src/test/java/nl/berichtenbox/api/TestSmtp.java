package nl.berichtenbox.api;

import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server in the test JVM (SubEthaSMTP). It keeps what it receives, and refuses on
 * purpose by recipient: {@code tijdelijk-*} gets 451 (temporary) on its first two attempts,
 * {@code permanent-*} gets 550 always.
 */
final class TestSmtp implements AutoCloseable {

  /** One e-mail as received: recipient, decoded subject, text and HTML parts, raw bytes, queue number. */
  record Mail(
      String aan,
      String onderwerp,
      String tekst,
      String html,
      String raw,
      long notificatie,
      Instant op) {}

  final ConcurrentLinkedQueue<Mail> ontvangen = new ConcurrentLinkedQueue<>();
  final Map<String, AtomicInteger> pogingen = new ConcurrentHashMap<>();
  private final SMTPServer server;
  final int port;

  TestSmtp() throws Exception {
    this(null);
  }

  /** With {@code tls}, the server offers STARTTLS with that context and refuses mail without it. */
  TestSmtp(SSLContext tls) throws Exception {
    port = Ports.free();
    SMTPServer.Builder b =
        SMTPServer.port(port).bindAddress(InetAddress.getLoopbackAddress()).maxConnections(64);
    if (tls != null) {
      b.enableTLS().requireTLS().startTlsSocketFactory(tls);
    }
    server = b.messageHandler((ctx, from, to, data) -> {
          int poging = pogingen.computeIfAbsent(to, k -> new AtomicInteger()).incrementAndGet();
          if (to.startsWith("permanent-")) {
            throw new RejectException(550, "<" + to + "> mailbox unavailable");
          }
          if (to.startsWith("tijdelijk-") && poging <= 2) {
            throw new RejectException(451, "try again later");
          }
          ontvangen.add(parse(to, data));
        })
        .build();
    server.start();
  }

  String url() {
    return "smtp://127.0.0.1:" + port;
  }

  List<Mail> aan(String adres) {
    return ontvangen.stream().filter(m -> m.aan().equals(adres)).toList();
  }

  private static Mail parse(String to, byte[] data) {
    try {
      MimeMessage m =
          new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(data));
      String[] parts = new String[2];
      collect(m, parts);
      String id = m.getHeader("X-Berichtenbox-Notificatie", null);
      return new Mail(
          to,
          m.getSubject(),
          parts[0],
          parts[1],
          new String(data, StandardCharsets.UTF_8),
          id == null ? -1 : Long.parseLong(id.trim()),
          Instant.now());
    } catch (Exception e) {
      throw new IllegalStateException("unreadable e-mail", e);
    }
  }

  private static void collect(Part p, String[] parts) throws Exception {
    if (p.isMimeType("text/plain")) {
      parts[0] = String.valueOf(p.getContent());
    } else if (p.isMimeType("text/html")) {
      parts[1] = String.valueOf(p.getContent());
    } else if (p.getContent() instanceof Multipart mp) {
      for (int i = 0; i < mp.getCount(); i++) {
        collect(mp.getBodyPart(i), parts);
      }
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
