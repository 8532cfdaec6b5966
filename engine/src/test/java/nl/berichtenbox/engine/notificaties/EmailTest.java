package nl.berichtenbox.engine.notificaties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.mailencoder.MailEncoder;
import java.time.Duration;
import nl.berichtenbox.engine.config.NotificatieConfig;
import org.junit.jupiter.api.Test;

class EmailTest {
  private final NotificatieConfig cfg = new NotificatieConfig(
      null,
      null,
      10,
      10,
      Duration.ofMinutes(1),
      Duration.ofDays(21),
      "Gemeente Test <noreply@test.example>",
      "Nieuwe post",
      "Nog ongelezen",
      "https://portaal.example/box?a=1&b=2",
      1,
      Duration.ofSeconds(1),
      Duration.ofSeconds(2),
      Duration.ofDays(1),
      Duration.ofMinutes(2));

  @Test
  void aNewMailEMailCountsTheMessagesAndLinksThePortal() {
    MailMessage m = Email.opmaak(cfg, 42, Email.Soort.NIEUW, 3, "burger@example.nl");
    assertEquals("Nieuwe post", m.getSubject());
    assertEquals("Gemeente Test <noreply@test.example>", m.getFrom());
    assertEquals("burger@example.nl", m.getTo().get(0));
    assertTrue(m.getText().contains("Er staan 3 nieuwe berichten"), m.getText());
    assertTrue(m.getText().contains("https://portaal.example/box?a=1&b=2"));
    assertTrue(
        m.getHtml().contains("href=\"https://portaal.example/box?a=1&amp;b=2\""), m.getHtml());
    assertTrue(m.getHtml().contains("lang=\"nl\""));
    assertEquals("42", m.getHeaders().get(Email.NOTIFICATIE_HEADER));
  }

  @Test
  void oneMessageAndAReminderReadAsDutchSingularAndReminder() {
    assertTrue(Email.opmaak(cfg, 1, Email.Soort.NIEUW, 1, "a@b.nl")
        .getText()
        .contains("Er staat een nieuw bericht"));
    MailMessage h = Email.opmaak(cfg, 1, Email.Soort.HERINNERING, 2, "a@b.nl");
    assertEquals("Nog ongelezen", h.getSubject());
    assertTrue(h.getText().contains("2 berichten die u nog niet heeft gelezen"));
  }

  @Test
  void theEncodedEMailHasTextAndHtmlAndNothingButTheCount() {
    MailMessage m = Email.opmaak(cfg, 7, Email.Soort.NIEUW, 1, "burger@example.nl");
    String eml = new MailEncoder(m, "test").encode();
    assertTrue(eml.contains("multipart/alternative"), eml);
    assertTrue(eml.contains("text/plain") && eml.contains("text/html"));
    assertTrue(eml.contains("X-Berichtenbox-Notificatie: 7"));
    for (String part : new String[] {m.getSubject(), m.getText(), m.getHtml()}) {
      assertFalse(part.matches("(?s).*\\d{9}.*"), "no nine-digit number (BSN-like) in " + part);
    }
  }
}
