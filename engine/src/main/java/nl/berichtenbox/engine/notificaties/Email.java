package nl.berichtenbox.engine.notificaties;

import io.vertx.core.MultiMap;
import io.vertx.ext.mail.MailMessage;
import nl.berichtenbox.engine.config.NotificatieConfig;

/**
 * The notification e-mail (pure, unit-tested): Dutch plain text and HTML, a link to the portal,
 * the number of messages, and nothing else of them: no subject, no sender, no content, no BSN.
 * The header {@code X-Berichtenbox-Notificatie} carries the queue number, so a mail system can
 * recognise a copy should one ever be sent twice.
 */
final class Email {
  static final String NOTIFICATIE_HEADER = "X-Berichtenbox-Notificatie";

  private Email() {}

  static MailMessage opmaak(NotificatieConfig cfg, long id, Soort soort, int aantal, String aan) {
    String zin = switch (soort) {
      case NIEUW ->
        aantal == 1
            ? "Er staat een nieuw bericht voor u klaar in uw Berichtenbox."
            : "Er staan " + aantal + " nieuwe berichten voor u klaar in uw Berichtenbox.";
      case HERINNERING ->
        aantal == 1
            ? "In uw Berichtenbox staat een bericht dat u nog niet heeft gelezen."
            : "In uw Berichtenbox staan " + aantal + " berichten die u nog niet heeft gelezen.";
    };
    String lees = aantal == 1
        ? "Log in op MijnOverheid om het te lezen:"
        : "Log in op MijnOverheid om ze te lezen:";
    String slot =
        "Deze e-mail is automatisch verstuurd; u kunt er niet op antwoorden. Er staat nooit de inhoud "
            + "van uw berichten in, en wij vragen u nooit om via een link in een e-mail gegevens in te vullen.";
    String tekst = "Geachte heer, mevrouw,\n\n" + zin + "\n\n" + lees + "\n" + cfg.portalUrl()
        + "\n\n" + slot + "\n\nMet vriendelijke groet,\nMijnOverheid\n";
    String url = html(cfg.portalUrl());
    String html = "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>"
        + html(onderwerp(cfg, soort))
        + "</title></head>\n<body>\n<p>Geachte heer, mevrouw,</p>\n<p>" + html(zin)
        + "</p>\n<p>" + html(lees) + " <a href=\"" + url + "\">" + url + "</a></p>\n<p>"
        + html(slot)
        + "</p>\n<p>Met vriendelijke groet,<br>MijnOverheid</p>\n</body></html>\n";
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap().add(NOTIFICATIE_HEADER, Long.toString(id));
    return new MailMessage()
        .setFrom(cfg.afzender())
        .setTo(aan)
        .setSubject(onderwerp(cfg, soort))
        .setText(tekst)
        .setHtml(html)
        .setHeaders(headers);
  }

  static String onderwerp(NotificatieConfig cfg, Soort soort) {
    return soort == Soort.NIEUW ? cfg.onderwerp() : cfg.herinneringOnderwerp();
  }

  private static String html(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** What an e-mail is about; the number is its {@code soort} in the database. */
  enum Soort {
    NIEUW,
    HERINNERING;

    static Soort of(int code) {
      return code == NotificatieWachtrij.HERINNERING ? HERINNERING : NIEUW;
    }
  }
}
