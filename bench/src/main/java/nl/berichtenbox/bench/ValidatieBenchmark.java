package nl.berichtenbox.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.intake.BerichtJson;
import nl.berichtenbox.engine.intake.BerichtValidator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The intake's per-message CPU work on the event loop: decoding the request body, checking every
 * field rule, decoding attachments and the idempotency digest; and the BSN elfproef alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ValidatieBenchmark {
  private static final String OIN = "00000001234567890000";

  /** 0: a 2 KB message without attachment; 100: with one 100 kB PDF. */
  @Param({"0", "100"})
  public int attachmentKb;

  private Buffer body;

  @Setup
  public void setup() {
    JsonObject m = new JsonObject()
        .put("berichtId", UUID.randomUUID().toString())
        .put("berichtType", "AANSL")
        .put("bsn", "999993653")
        .put("onderwerp", "Uw aanslag inkomstenbelasting")
        .put("berichtTekst", "Geachte heer/mevrouw, ".repeat(90).substring(0, 1880))
        .put("referentie", "REF-2026-1");
    if (attachmentKb > 0) {
      byte[] pdf = new byte[attachmentKb * 1024];
      new Random(1).nextBytes(pdf);
      System.arraycopy("%PDF-1.7\n".getBytes(), 0, pdf, 0, 9);
      m.put(
          "bijlagen",
          new JsonArray()
              .add(new JsonObject()
                  .put("omschrijving", "Aanslag")
                  .put("volgorde", 1)
                  .put("mediaType", "application/pdf")
                  .put("inhoud", Base64.getEncoder().encodeToString(pdf))));
    }
    body = m.toBuffer();
  }

  /**
   * What the event loop does per POST /berichten before the message joins a group commit: the
   * intake's decoder, which keeps a large attachment as a view on the body's bytes.
   */
  @Benchmark
  public BerichtValidator.Result decodeAndValidate() {
    return BerichtValidator.validate(BerichtJson.decode(body), "", OIN, Instant.now());
  }

  /** The same with Vert.x's generic decoder (every string a Java string), as before: for comparison. */
  @Benchmark
  public BerichtValidator.Result decodeAndValidateVertx() {
    return BerichtValidator.validate(body.toJsonValue(), "", OIN, Instant.now());
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean elfproef() {
    return Identifiers.isBsn("999993653");
  }
}
