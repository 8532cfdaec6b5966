package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Leveranciersportaal and the beheer page in a real headless Chromium (issue 8): they load
 * with nothing from another origin, refuse a wrong key, sign in, and draw charts whose bars carry
 * the numbers the API gives; their screenshots are written to {@code target/screenshots} and
 * checked (a real page, with the charts' colours in it). Basic accessibility: language, a label
 * for every field, a text alternative (title and table) for every chart.
 *
 * <p>Without a Chromium the test is skipped, unless {@code BERICHTENBOX_BROWSER_TEST=verplicht}
 * (CI sets it and installs Debian's chromium), when it fails.
 */
class WebPagesIT {
  private static final ZoneId NL = ZoneId.of("Europe/Amsterdam");
  private static final int GROEN = 0x39870c;
  private static final int ROOD = 0xd52b1e;
  private static final int BLAUW = 0x01689b;
  private static Chromium browser;
  private final Api api = TestEngine.api();

  @BeforeAll
  static void browser() throws Exception {
    if (Chromium.binary() == null) {
      if ("verplicht".equals(System.getenv("BERICHTENBOX_BROWSER_TEST"))) {
        throw new AssertionError(
            "BERICHTENBOX_BROWSER_TEST=verplicht but no Chromium (apt-get install chromium)");
      }
      Assumptions.abort(
          "no Chromium on this machine (apt-get install chromium); the page tests are skipped");
    }
    browser = Chromium.start();
  }

  @AfterAll
  static void sluit() throws Exception {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void theLeveranciersportaalShowsTheAfnemersOwnNumbers() throws Exception {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    for (int i = 0; i < 3; i++) {
      api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
    }
    for (int i = 0; i < 2; i++) {
      api.post("/api/v1/berichten", a.key(), Api.bericht(Api.newBsn()))
          .expect(202); // no box: NietActiefOfGeabonneerd
    }
    JsonObject batch = Api.batch(
        new JsonArray().add(Api.bericht(bsn)).add(Api.bericht(bsn)).add(Api.bericht(Api.newBsn())));
    api.post("/api/v1/batches", a.key(), batch).expect(202);
    Api.await("8 receipts", () -> api.receiptCounts(a).size() == 8);
    String vandaag = LocalDate.now(NL).toString();
    JsonObject dag = api.get(
            "/api/v1/rapportages/verwerking?vanDatum=" + vandaag + "&totDatum=" + vandaag, a.key())
        .expect(200)
        .json()
        .getJsonArray("dagen")
        .getJsonObject(0);
    assertEquals(8, dag.getLong("aangeboden"));
    assertEquals(5, dag.getLong("verwerkt"));
    assertEquals(3, dag.getLong("afgewezen"));

    browser.open(api.base + "/leveranciersportaal");
    toegankelijk();
    // a wrong key is refused, with a message
    browser.js("document.getElementById('sleutel').value = 'fout-" + "x".repeat(40) + "'");
    browser.js("document.querySelector('#aanmeldformulier button').click()");
    browser.wachtOp(
        "document.getElementById('aanmeldfout').textContent.includes('niet')",
        Duration.ofSeconds(10));

    browser.js("document.getElementById('sleutel').value = '" + a.key() + "'");
    browser.js("document.querySelector('#aanmeldformulier button').click()");
    browser.wachtOp("document.querySelector('#grafiek-per-dag svg')", Duration.ofSeconds(10));
    for (String reeks : new String[] {"aangeboden", "verwerkt", "afgewezen"}) {
      assertEquals(
          String.valueOf(dag.getLong(reeks)),
          browser.js("document.querySelector('#grafiek-per-dag rect[data-reeks=\"" + reeks
              + "\"][data-categorie=\"" + vandaag + "\"]').getAttribute('data-waarde')"),
          reeks + " today");
      assertEquals(
          String.valueOf(dag.getLong(reeks)),
          browser.js("document.querySelector('#totaal-" + reeks + " strong').textContent"));
    }
    assertEquals(
        "3",
        browser.js(
            "document.querySelector('#grafiek-per-code rect[data-categorie=\"NietActiefOfGeabonneerd\"]').getAttribute('data-waarde')"));
    assertTrue(
        ((String) browser.js("document.getElementById('batches').innerText"))
            .contains(batch.getString("batchId")),
        "the batch is listed");
    allesVanDezeOorsprong();
    BufferedImage beeld = schermafdruk("leveranciersportaal");
    assertTrue(
        heeftKleur(beeld, GROEN) && heeftKleur(beeld, ROOD) && heeftKleur(beeld, BLAUW),
        "the chart's bars are drawn: processed green, rejected red, offered blue");

    // signing out forgets the key
    browser.js("document.getElementById('afmelden').click()");
    assertEquals(null, browser.js("sessionStorage.getItem('bbx-sleutel')"));
    assertTrue(browser.fouten().isEmpty(), "no script errors: " + browser.fouten());
  }

  @Test
  void theBeheerPageShowsTheMonthsReportCalendarIncidentsAndAfnemers() throws Exception {
    Api.Afnemer a = api.newAfnemer();
    api.post(
            "/api/v1/beheer/incidenten",
            TestEngine.ADMIN,
            new JsonObject()
                .put("omschrijving", "Portaal traag (paginatest)")
                .put("impact", "MIDDEN")
                .put("urgentie", "LAAG"))
        .expect(201);
    String maand = YearMonth.now(NL).toString();
    JsonObject sla = api.get("/api/v1/beheer/sla-rapportages/" + maand, TestEngine.ADMIN)
        .expect(200)
        .json();
    int vensters = api.get("/api/v1/beheer/onderhoudsvensters?maand=" + maand, TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonArray("vensters")
        .size();

    browser.open(api.base + "/beheer");
    toegankelijk();
    browser.js(
        "document.getElementById('token').value = 'geen-beheertoken-" + "y".repeat(30) + "'");
    browser.js("document.querySelector('#aanmeldformulier button').click()");
    browser.wachtOp(
        "document.getElementById('aanmeldfout').textContent.includes('niet geldig')",
        Duration.ofSeconds(10));

    browser.js("document.getElementById('token').value = '" + TestEngine.ADMIN + "'");
    browser.js("document.querySelector('#aanmeldformulier button').click()");
    browser.wachtOp(
        "document.querySelector('#grafiek-incidenten svg') && document.querySelector('#afnemers table')",
        Duration.ofSeconds(15));
    JsonObject p3 =
        sla.getJsonObject("incidenten").getJsonArray("perPrioriteit").getJsonObject(2);
    assertEquals(
        String.valueOf(p3.getInteger("aantal") - p3.getInteger("beoordeeld")),
        browser.js(
            "document.querySelector('#grafiek-incidenten rect[data-reeks=\"open\"][data-categorie=\"P3\"]').getAttribute('data-waarde')"),
        "open P3 incidents, as the report counts them");
    assertEquals(
        String.valueOf(sla.getJsonObject("beschikbaarheid").getLong("budgetMinuten")),
        browser.js(
            "document.querySelector('#grafiek-budget rect[data-categorie=\"budget\"]').getAttribute('data-waarde')"));
    assertEquals(
        vensters,
        ((Number) browser.js("document.querySelectorAll('#onderhoud tbody tr').length"))
            .intValue());
    assertTrue(
        ((String) browser.js("document.getElementById('afnemers').innerText")).contains(a.oin()));
    assertTrue(((String) browser.js("document.getElementById('incidenten').innerText"))
        .contains("Portaal traag (paginatest)"));
    allesVanDezeOorsprong();
    BufferedImage beeld = schermafdruk("beheer");
    assertTrue(heeftKleur(beeld, BLAUW), "the budget chart is drawn");
    assertTrue(browser.fouten().isEmpty(), "no script errors: " + browser.fouten());
  }

  @Test
  void thePagesAndTheirFilesAreServedWithAStrictPolicyAndUnknownFilesAre404() {
    Api.Resp pagina = api.get("/leveranciersportaal", null).expect(200);
    assertTrue(pagina.header("Content-Type").startsWith("text/html"));
    assertTrue(pagina.header("Content-Security-Policy").contains("default-src 'none'"));
    assertTrue(api.get("/web/grafiek.js", null)
        .expect(200)
        .header("Content-Type")
        .startsWith("text/javascript"));
    api.get("/web/geheim.txt", null).expect(404);
    api.get("/web/..%2Fopenapi.yaml", null).expect(404);
  }

  /** The page's language, a label for each field, and a title for each chart. */
  private void toegankelijk() throws Exception {
    assertEquals("nl", browser.js("document.documentElement.lang"));
    assertEquals(
        Boolean.TRUE,
        browser.js(
            "[...document.querySelectorAll('input')].every(i => document.querySelector('label[for=\"' + i.id + '\"]'))"));
    assertEquals(Boolean.TRUE, browser.js("document.querySelectorAll('h1').length === 1"));
  }

  private void allesVanDezeOorsprong() throws Exception {
    assertEquals(
        Boolean.TRUE,
        browser.js(
            "performance.getEntriesByType('resource').every(e => e.name.startsWith(location.origin))"),
        "nothing from another origin");
    assertEquals(
        Boolean.TRUE,
        browser.js(
            "[...document.querySelectorAll('svg[role=img]')].every(s => s.querySelector('title') && s.closest('figure').querySelector('table'))"),
        "every chart has a title and a table");
  }

  private static BufferedImage schermafdruk(String naam) throws Exception {
    byte[] png = browser.schermafdruk();
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(naam + ".png"), png);
    BufferedImage beeld = ImageIO.read(new ByteArrayInputStream(png));
    assertTrue(
        beeld.getWidth() >= 1000 && beeld.getHeight() >= 600,
        "a whole page: " + beeld.getWidth() + "x" + beeld.getHeight());
    Set<Integer> kleuren = new HashSet<>();
    for (int y = 0; y < beeld.getHeight(); y += 3) {
      for (int x = 0; x < beeld.getWidth(); x += 3) {
        kleuren.add(beeld.getRGB(x, y) & 0xffffff);
      }
    }
    assertTrue(kleuren.size() > 20, "not a blank page: " + kleuren.size() + " colours");
    return beeld;
  }

  private static boolean heeftKleur(BufferedImage beeld, int rgb) {
    int n = 0;
    for (int y = 0; y < beeld.getHeight(); y++) {
      for (int x = 0; x < beeld.getWidth(); x++) {
        if ((beeld.getRGB(x, y) & 0xffffff) == rgb && ++n >= 20) {
          return true;
        }
      }
    }
    return false;
  }
}
