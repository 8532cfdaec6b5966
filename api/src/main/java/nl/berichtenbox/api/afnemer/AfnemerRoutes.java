package nl.berichtenbox.api.afnemer;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import nl.berichtenbox.api.http.Auth;
import nl.berichtenbox.api.http.ExactBody;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.api.http.Problems;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.engine.abonnementen.Abonnementservice;
import nl.berichtenbox.engine.abonnementen.Validatieservice;
import nl.berichtenbox.engine.afnemers.Afnemer;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.VerwerkingsCode;
import nl.berichtenbox.engine.intake.BerichtJson;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.intake.IntakeItem.Outcome;
import nl.berichtenbox.engine.intake.NdjsonReader;
import nl.berichtenbox.engine.intake.RateLimiter;
import nl.berichtenbox.engine.rapportage.Rapportages;
import nl.berichtenbox.engine.tracing.Tracing;
import nl.berichtenbox.engine.verwerking.Verwerkingsberichten;

/** The afnemer face (contract §2.2, §2.4, §2.6): intake, status, receipts, berichttypen. */
public final class AfnemerRoutes {
  private static final String NDJSON = "application/x-ndjson";

  private final Intake intake;
  private final Verwerkingsberichten bewijzen;
  private final Afnemers afnemers;
  private final Validatieservice validatieservice;
  private final Rapportages rapportages;
  private final Abonnementservice abonnementservice;
  private final RateLimiter limiter;
  private final int maxBody;
  private final int maxBatchBody;

  private final Tracing tracing;

  /** @param intake this event loop's intake */
  /**
   * {@code intake} is this event loop's own; {@code maxBody} bounds a message (and an NDJSON line),
   * {@code maxBatchBody} a JSON batch.
   */
  public AfnemerRoutes(
      Intake intake,
      Verwerkingsberichten bewijzen,
      Afnemers afnemers,
      Validatieservice validatieservice,
      Rapportages rapportages,
      Abonnementservice abonnementservice,
      RateLimiter limiter,
      Tracing tracing,
      int maxBody,
      int maxBatchBody) {
    this.intake = intake;
    this.bewijzen = bewijzen;
    this.afnemers = afnemers;
    this.validatieservice = validatieservice;
    this.rapportages = rapportages;
    this.abonnementservice = abonnementservice;
    this.limiter = limiter;
    this.tracing = tracing;
    this.maxBody = maxBody;
    this.maxBatchBody = maxBatchBody;
  }

  /** 429 with Retry-After when the afnemer is over its limietPerSeconde; true when the request may go on. */
  private boolean withinLimit(RoutingContext ctx, int berichten) {
    Afnemer a = Auth.afnemer(ctx);
    long wait = limiter.admit(a.oin(), a.limietPerSeconde(), berichten);
    if (wait > 0) {
      Problems.fail(
          ctx,
          new ClientErrorException(
              429,
              "Te veel verzoeken",
              "meer dan " + a.limietPerSeconde() + " berichten per seconde voor deze afnemer",
              null,
              List.of(),
              wait));
      return false;
    }
    return true;
  }

  public void mount(Router router, RouteTable table, Auth auth) {
    String base = "/api/v1";
    // bodies read into one buffer of their declared length (see ExactBody)
    ExactBody small = new ExactBody(maxBody);
    ExactBody large = new ExactBody(maxBatchBody);
    table.add(
        router,
        POST,
        base + "/berichten",
        small,
        Http.consumes(Http.JSON),
        auth.afnemer(),
        this::bericht);
    table.add(
        router, GET, base + "/berichten/:berichtId", auth.afnemer(), Http.respond(200, ctx -> {
          UUID id = Identifiers.parseUuid(ctx.pathParam("berichtId"));
          if (id == null) {
            throw ClientErrorException.notFound("bericht niet gevonden");
          }
          return bewijzen.status(Auth.afnemer(ctx).oin(), id);
        }));
    // The body is read (JSON) or paused (NDJSON, streamed later) before the asynchronous key check.
    table.add(
        router,
        POST,
        base + "/batches",
        Http.consumes(Http.JSON, NDJSON),
        ctx -> {
          if (NDJSON.equals(Http.mediaType(ctx))) {
            ctx.request().pause();
            ctx.next();
          } else {
            large.handle(ctx);
          }
        },
        auth.afnemer(),
        ctx -> {
          if (NDJSON.equals(Http.mediaType(ctx))) {
            ndjson(ctx);
          } else {
            batch(ctx);
          }
        });
    table.add(
        router,
        GET,
        base + "/batches",
        auth.afnemer(),
        Http.respond(
            200,
            ctx -> bewijzen.batches(
                Auth.afnemer(ctx).oin(), date(ctx, "vanDatum"), date(ctx, "totDatum"))));
    table.add(router, GET, base + "/batches/:batchId", auth.afnemer(), Http.respond(200, ctx -> {
      UUID id = Identifiers.parseUuid(ctx.pathParam("batchId"));
      if (id == null) {
        throw ClientErrorException.notFound("batch niet gevonden");
      }
      return bewijzen.batch(Auth.afnemer(ctx).oin(), id);
    }));
    table.add(
        router,
        GET,
        base + "/verwerkingsberichten",
        auth.afnemer(),
        Http.respond(
            200,
            ctx -> bewijzen.feed(
                Auth.afnemer(ctx).oin(), Http.longParam(ctx, "vanaf", 0, 0, Long.MAX_VALUE), (int)
                    Http.longParam(ctx, "limit", 100, 1, 1000))));
    mountDiensten(router, table, auth, small);
    table.add(
        router,
        GET,
        base + "/bericht-typen",
        auth.afnemer(),
        Http.respond(200, ctx -> afnemers.berichtTypen(Auth.afnemer(ctx).oin())));
    table.add(
        router,
        GET,
        base + "/bericht-typen/:code",
        auth.afnemer(),
        Http.respond(
            200, ctx -> afnemers.berichtType(Auth.afnemer(ctx).oin(), ctx.pathParam("code"))));
    table.add(
        router,
        PUT,
        base + "/bericht-typen/:code",
        small,
        Http.consumes(Http.JSON),
        auth.afnemer(),
        ctx -> {
          JsonObject body;
          try {
            body = Http.bodyObject(ctx);
          } catch (ClientErrorException e) {
            Problems.fail(ctx, e);
            return;
          }
          afnemers
              .putBerichtType(Auth.afnemer(ctx).oin(), ctx.pathParam("code"), body)
              .onSuccess(e -> Http.json(ctx, e.getKey() ? 201 : 200, e.getValue()))
              .onFailure(e -> Problems.fail(ctx, e));
        });
  }

  /** Validatieservice (§2.5), daily report and forecasts (§2.6). */
  private void mountDiensten(Router router, RouteTable table, Auth auth, ExactBody small) {
    String base = "/api/v1";
    table.add(
        router,
        POST,
        base + "/abonnementen/_valideren",
        small,
        Http.consumes(Http.JSON),
        auth.afnemer(),
        Http.respond(
            200, ctx -> validatieservice.valideer(Auth.afnemer(ctx), Http.bodyObject(ctx))));
    BodyHandler list = BodyHandler.create(false).setBodyLimit(24L * 1024 * 1024);
    table.add(
        router,
        POST,
        base + "/abonnementen/verzoeken",
        list,
        Http.consumes(Http.JSON),
        auth.afnemer(),
        ctx -> {
          try {
            abonnementservice
                .aanvragen(Auth.afnemer(ctx), Http.bodyObject(ctx))
                .onSuccess(v -> {
                  ctx.response()
                      .putHeader("Location", base + "/abonnementen/verzoeken/" + v.getString("id"));
                  Http.json(ctx, 202, v);
                })
                .onFailure(e -> Problems.fail(ctx, e));
          } catch (RuntimeException e) {
            Problems.fail(ctx, e);
          }
        });
    table.add(
        router,
        GET,
        base + "/abonnementen/verzoeken/:id",
        auth.afnemer(),
        Http.respond(
            200, ctx -> abonnementservice.status(Auth.afnemer(ctx).oin(), ctx.pathParam("id"))));
    table.add(
        router,
        GET,
        base + "/abonnementen/verzoeken/:id/resultaat",
        auth.afnemer(),
        ctx -> abonnementservice
            .status(Auth.afnemer(ctx).oin(), ctx.pathParam("id"))
            .onFailure(e -> Problems.fail(ctx, e))
            .onSuccess(st -> {
              if (!"GEREED".equals(st.getString("status"))) {
                Problems.fail(
                    ctx,
                    new ClientErrorException(
                        409,
                        "Nog niet gereed",
                        "het verzoek is " + st.getString("status"),
                        null,
                        List.of(),
                        null));
                return;
              }
              ctx.response().putHeader("Content-Type", "application/x-ndjson").setChunked(true);
              abonnementservice
                  .schrijfResultaat(st.getString("id"), ctx.response())
                  .onFailure(e -> ctx.response().reset());
            }));
    table.add(
        router,
        GET,
        base + "/rapportages/verwerking",
        auth.afnemer(),
        Http.respond(
            200,
            ctx -> rapportages.verwerking(
                Auth.afnemer(ctx).oin(), date(ctx, "vanDatum"), date(ctx, "totDatum"))));
    table.add(
        router,
        PUT,
        base + "/prognoses/:maand",
        small,
        Http.consumes(Http.JSON),
        auth.afnemer(),
        ctx -> {
          try {
            rapportages
                .zetPrognose(Auth.afnemer(ctx).oin(), ctx.pathParam("maand"), Http.bodyObject(ctx))
                .onSuccess(e -> Http.json(ctx, e.getKey() ? 201 : 200, e.getValue()))
                .onFailure(e -> Problems.fail(ctx, e));
          } catch (RuntimeException e) {
            Problems.fail(ctx, e);
          }
        });
    table.add(router, GET, base + "/prognoses", auth.afnemer(), Http.respond(200, ctx -> {
      List<InvalidParam> bad = new ArrayList<>();
      String from = ctx.request().getParam("vanMaand");
      String until = ctx.request().getParam("totMaand");
      YearMonth v = from == null ? null : Rapportages.maand(from, "vanMaand", bad);
      YearMonth t = until == null ? null : Rapportages.maand(until, "totMaand", bad);
      if (!bad.isEmpty()) {
        throw ClientErrorException.badRequest("ongeldige queryparameters", bad);
      }
      return rapportages.prognoses(Auth.afnemer(ctx).oin(), v, t);
    }));
  }

  /** A date query parameter, or null when absent (the engine chooses the default). */
  private static LocalDate date(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      if (v.length() == 10) {
        return LocalDate.parse(v);
      }
    } catch (DateTimeParseException e) {
      // fall through
    }
    throw ClientErrorException.badRequest(
        "ongeldige queryparameter",
        List.of(new InvalidParam(name, "moet een datum JJJJ-MM-DD zijn")));
  }

  /**
   * The trace the request's messages join (the caller's traceparent, or the server span's, or a new
   * one), said back in a {@code traceresponse} header (W3C Trace Context level 2) so that a caller
   * that sent none learns it at once; every receipt names it too.
   */
  private String traceparent(RoutingContext ctx) {
    String tp = tracing.forRequest(ctx.request().getHeader("traceparent"));
    ctx.response().putHeader("traceresponse", tp);
    return tp;
  }

  private void bericht(RoutingContext ctx) {
    Object body;
    try {
      body = ctx.body().buffer() == null ? null : BerichtJson.decode(ctx.body().buffer());
    } catch (DecodeException e) {
      Problems.fail(
          ctx,
          ClientErrorException.badRequest(
              "de body is geen geldige JSON", VerwerkingsCode.ValidatieFout, List.of()));
      return;
    }
    if (!(body instanceof JsonObject)) {
      Problems.fail(
          ctx,
          ClientErrorException.badRequest(
              "de body moet een JSON-object zijn", VerwerkingsCode.ValidatieFout, List.of()));
      return;
    }
    if (!withinLimit(ctx, 1)) {
      return;
    }
    intake.bericht(Auth.afnemer(ctx).oin(), body, traceparent(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        Problems.fail(ctx, ar.cause());
        return;
      }
      Outcome o = ar.result();
      JsonObject out = new JsonObject()
          .put("berichtId", o.berichtId())
          .put("status", o.status().name());
      if (o.kind() == Outcome.Kind.REPLAY) {
        if (o.code() != null) {
          out.put("verwerkingsCode", o.code().name());
        }
        ctx.response().putHeader("Idempotent-Replay", "true");
        Http.json(ctx, 200, out);
      } else {
        Http.json(ctx, 202, out);
      }
    });
  }

  private void batch(RoutingContext ctx) {
    JsonObject body;
    try {
      body = Http.bodyObject(ctx, BerichtJson::decode);
    } catch (ClientErrorException e) {
      Problems.fail(
          ctx,
          ClientErrorException.badRequest(
              e.getMessage(), VerwerkingsCode.ValidatieFout, List.of()));
      return;
    }
    if (!withinLimit(
        ctx, body.getValue("berichten") instanceof JsonArray arr ? Math.max(1, arr.size()) : 1)) {
      return;
    }
    intake
        .batch(Auth.afnemer(ctx).oin(), body, traceparent(ctx))
        .onSuccess(a -> Http.json(ctx, 202, batchAnswer(a)))
        .onFailure(e -> Problems.fail(ctx, e));
  }

  static JsonObject batchAnswer(Intake.BatchAntwoord a) {
    JsonArray berichten = new JsonArray();
    for (Outcome o : a.berichten()) {
      JsonObject b = new JsonObject()
          .put("berichtId", o.berichtId())
          .put("status", o.status().name());
      if (o.code() != null) {
        b.put("verwerkingsCode", o.code().name());
      }
      if (!o.invalidParams().isEmpty()) {
        b.put("invalidParams", Problems.invalidParams(o.invalidParams()));
      }
      berichten.add(b);
    }
    return new JsonObject()
        .put("batchId", a.batchId().toString())
        .put("ontvangen", a.ontvangen())
        .put("afgewezen", a.afgewezen())
        .put("berichten", berichten);
  }

  /**
   * A streamed NDJSON batch: first line the header, then one message a line. Lines are parsed as
   * they arrive and written in chunks inside one transaction; input is paused while a chunk is
   * written, so memory stays flat whatever the batch size.
   */
  private void ndjson(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    Afnemer afnemer = Auth.afnemer(ctx);
    String oin = afnemer.oin();
    if (!withinLimit(ctx, 1)) {
      req.resume();
      return;
    }
    RecordParser parser = RecordParser.newDelimited("\n", req);
    parser.maxRecordSize(maxBody);
    NdjsonReader reader = intake.ndjsonReader(oin, traceparent(ctx));
    var state = new Object() {
      boolean failed;
    };
    Consumer<Throwable> fail = e -> {
      if (state.failed) {
        return;
      }
      state.failed = true;
      reader.abort();
      // Drain the rest so the connection stays usable, then answer.
      parser.handler(b -> {});
      parser.endHandler(v -> {});
      parser.resume();
      Problems.fail(ctx, e);
    };
    parser.exceptionHandler(e -> fail.accept(
        e instanceof IllegalStateException
            ? new ClientErrorException(
                413, "Te groot", "een regel is groter dan " + maxBody + " bytes")
            : e));
    parser.handler(buf -> {
      if (state.failed) {
        return;
      }
      Future<Void> step = reader.line(buf);
      if (!step.isComplete()) {
        parser.pause(); // the next line waits for this one's chunk to be written
        step.onComplete(ar -> {
          if (ar.failed()) {
            fail.accept(ar.cause());
          } else if (!state.failed) {
            parser.resume();
          }
        });
      } else if (step.failed()) {
        fail.accept(step.cause());
      }
    });
    parser.endHandler(v -> {
      if (state.failed) {
        return;
      }
      reader
          .end()
          .onSuccess(a -> {
            limiter.charge(oin, afnemer.limietPerSeconde(), a.berichten().size() - 1);
            Http.json(ctx, 202, batchAnswer(a));
          })
          .onFailure(fail::accept);
    });
    parser.resume();
  }
}
