package nl.berichtenbox.api.burger;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import nl.berichtenbox.api.http.Auth;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.api.http.Problems;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;
import nl.berichtenbox.engine.berichtenbox.BoxBerichten;
import nl.berichtenbox.engine.berichtenbox.Gebeurtenissen;
import nl.berichtenbox.engine.berichtenbox.Meelezers;

/**
 * The citizen face (contract §3): the box, its messages and attachments, and voorkeuren; and
 * meelezen (§7.3): the owner's readers, and a reader's read-only access to a box shared with them,
 * named by the {@code Berichtenbox-Id} header on the read routes.
 */
public final class BerichtenboxRoutes {
  /** The header by which a reader names the shared box a read route is about. */
  public static final String BOX_HEADER = "Berichtenbox-Id";

  /** The reader's access, where the request is a reader's: recorded in the owner's inzage. */
  private static final String TOEGANG = "bbx.toegang";

  private final Berichtenboxen boxen;
  private final BoxBerichten berichten;
  private final Meelezers meelezers;
  private final Gebeurtenissen gebeurtenissen;

  public BerichtenboxRoutes(
      Berichtenboxen boxen,
      BoxBerichten berichten,
      Meelezers meelezers,
      Gebeurtenissen gebeurtenissen) {
    this.boxen = boxen;
    this.berichten = berichten;
    this.meelezers = meelezers;
    this.gebeurtenissen = gebeurtenissen;
  }

  /** The path of the event stream: its answer lasts as long as the token (see HttpVerticle). */
  public static final String GEBEURTENISSEN = "/api/v1/berichtenbox/gebeurtenissen";

  /** Mounts the face on {@code sub}, itself mounted at its prefix, first: the portal is the busiest caller. */
  public void mount(Router router, Router sub, RouteTable table, Auth auth) {
    String base = "/api/v1/berichtenbox";
    // before the face's mount, whose prefix it shares
    table.add(
        router,
        GET,
        "/api/v1/berichtenboxen/gedeeld",
        auth.burger(),
        Http.respond(200, ctx -> meelezers.gedeeld(ctx.get(Auth.BSN))));
    RouteTable.mount(router, base, sub);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(16 * 1024);
    table.add(
        sub,
        base,
        GET,
        "/",
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(200, ctx -> boxen.get(ctx.get(Auth.BSN))));
    table.add(
        sub,
        base,
        PUT,
        "/",
        body,
        Http.consumes(Http.JSON),
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(200, ctx -> boxen.put(ctx.get(Auth.BSN), Http.bodyObject(ctx))));

    table.add(
        sub,
        base,
        GET,
        "/berichten",
        auth.burger(),
        this::lezer,
        Http.respond(
            200,
            ctx -> ingezien(
                ctx,
                Meelezers.Actie.LIJST,
                null,
                berichten.lijst(ctx.get(Auth.BSN), ListQueries.from(ctx.request())))));
    table.add(
        sub,
        base,
        GET,
        "/berichten/:id",
        auth.burger(),
        this::lezer,
        Http.respond(
            200,
            ctx -> ingezien(
                ctx,
                Meelezers.Actie.BERICHT,
                ctx.pathParam("id"),
                berichten.lees(ctx.get(Auth.BSN), ctx.pathParam("id")))));
    table.add(
        sub,
        base,
        PATCH,
        "/berichten/:id",
        body,
        Http.consumes("application/merge-patch+json", Http.JSON),
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(
            200,
            ctx -> berichten.wijzig(ctx.get(Auth.BSN), ctx.pathParam("id"), Http.bodyObject(ctx))));
    table.add(
        sub,
        base,
        DELETE,
        "/berichten/:id",
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.noContent(ctx -> berichten.verwijder(ctx.get(Auth.BSN), ctx.pathParam("id"))));
    table.add(
        sub,
        base,
        GET,
        "/gebeurtenissen",
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        this::gebeurtenissen);
    table.add(
        sub,
        base,
        GET,
        "/berichten/:id/bijlagen/:volgorde",
        auth.burger(),
        this::lezer,
        this::bijlage);
    // last: a route with a path parameter costs every request that passes it a regex match
    table.add(
        sub,
        base,
        GET,
        "/voorkeuren",
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(200, ctx -> boxen.voorkeuren(ctx.get(Auth.BSN))));
    table.add(
        sub,
        base,
        PUT,
        "/voorkeuren/:oin",
        body,
        Http.consumes(Http.JSON),
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(
            200,
            ctx ->
                boxen.putVoorkeur(ctx.get(Auth.BSN), ctx.pathParam("oin"), Http.bodyObject(ctx))));

    // meelezen (§7.3): the owner's readers
    table.add(
        sub,
        base,
        POST,
        "/meelezers",
        body,
        Http.consumes(Http.JSON),
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(201, ctx -> meelezers.voegToe(ctx.get(Auth.BSN), Http.bodyObject(ctx))));
    table.add(
        sub,
        base,
        GET,
        "/meelezers",
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(200, ctx -> meelezers.lijst(ctx.get(Auth.BSN))));
    table.add(
        sub,
        base,
        DELETE,
        "/meelezers/:id",
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.noContent(ctx -> meelezers.trekIn(ctx.get(Auth.BSN), ctx.pathParam("id"))));
    table.add(
        sub,
        base,
        GET,
        "/meelezers/:id/inzage",
        auth.burger(),
        BerichtenboxRoutes::eigenaar,
        Http.respond(200, ctx -> meelezers.inzage(ctx.get(Auth.BSN), ctx.pathParam("id"))));
  }

  /**
   * The citizen's live updates (contract §7.2) as Server-Sent Events, until the token expires or
   * the client goes away; 406 without {@code Accept: text/event-stream}, 429 past the citizen's
   * streams.
   */
  private void gebeurtenissen(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      Problems.send(
          ctx,
          406,
          "Niet aanvaardbaar",
          "de gebeurtenissen komen alleen als text/event-stream (Accept: text/event-stream)");
      return;
    }
    HttpServerResponse res = ctx.response();
    Context context = Vertx.currentContext();
    AtomicBoolean weg = new AtomicBoolean();
    Gebeurtenissen.Stroom stroom = new Gebeurtenissen.Stroom() {
      @Override
      public void schrijf(String tekst) {
        context.runOnContext(v -> {
          if (!res.ended() && !res.closed()) {
            res.write(tekst);
          }
        });
      }

      @Override
      public void sluit() {
        context.runOnContext(v -> {
          if (!res.ended() && !res.closed()) {
            res.end();
          }
        });
      }

      @Override
      public boolean weg() {
        return weg.get();
      }
    };
    // the head before the first event: set now, written with the first write
    res.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("X-Accel-Buffering", "no");
    res.closeHandler(v -> {
      // set before the engine is told: a stream still opening finds it set when it registers
      weg.set(true);
      gebeurtenissen.gesloten(stroom);
    });
    gebeurtenissen
        .open(
            ctx.get(Auth.BSN),
            ctx.request().getHeader("Last-Event-ID"),
            Auth.tokenExpiry(ctx),
            stroom)
        .onFailure(e -> {
          res.setChunked(false).headers().remove("Content-Type").remove("X-Accel-Buffering");
          Problems.fail(ctx, e);
        });
  }

  /** A route of the owner's only: a reader (the request names a shared box) gets 403. */
  private static void eigenaar(RoutingContext ctx) {
    if (ctx.request().getHeader(BOX_HEADER) != null) {
      Problems.send(
          ctx,
          403,
          "Geen toegang",
          "een meelezer kan alleen berichten en bijlagen lezen, niets wijzigen of instellen");
      return;
    }
    ctx.next();
  }

  /**
   * A read route: the citizen's own box, or with {@link #BOX_HEADER} a box shared with them, read
   * as its owner's (checked in the database on every request: a revoked grant is refused at once,
   * on whichever process).
   */
  private void lezer(RoutingContext ctx) {
    String boxId = ctx.request().getHeader(BOX_HEADER);
    if (boxId == null) {
      ctx.next();
      return;
    }
    meelezers.toegang(ctx.get(Auth.BSN), boxId).onComplete(ar -> {
      if (ar.failed()) {
        Problems.fail(ctx, ar.cause());
        return;
      }
      ctx.put(Auth.BSN, ar.result().eigenaarBsn());
      ctx.put(TOEGANG, ar.result());
      ctx.next();
    });
  }

  /** A read's answer, recorded in the owner's inzage first when a reader read it. */
  private <T> Future<T> ingezien(
      RoutingContext ctx, Meelezers.Actie actie, String berichtId, Future<T> gelezen) {
    Meelezers.Toegang t = ctx.get(TOEGANG);
    return t == null
        ? gelezen
        : gelezen.compose(v -> meelezers.registreer(t, actie, berichtId).map(x -> v));
  }

  /** Streams an attachment in chunks read from the database, writing only as fast as the client reads. */
  private void bijlage(RoutingContext ctx) {
    try {
      ingezien(
              ctx,
              Meelezers.Actie.BIJLAGE,
              ctx.pathParam("id"),
              berichten.bijlage(ctx.get(Auth.BSN), ctx.pathParam("id"), ctx.pathParam("volgorde")))
          .onComplete(ar -> {
            if (ar.failed()) {
              Problems.fail(ctx, ar.cause());
              return;
            }
            BoxBerichten.Bijlage b = ar.result();
            HttpServerResponse res = ctx.response();
            res.putHeader("Content-Type", b.mediaType())
                .putHeader("Content-Disposition", disposition(b.omschrijving(), b.mediaType()))
                .putHeader("Content-Length", Long.toString(b.grootte()));
            pump(res, b, 0);
          });
    } catch (RuntimeException e) {
      Problems.fail(ctx, e);
    }
  }

  private static void pump(HttpServerResponse res, BoxBerichten.Bijlage b, long offset) {
    if (offset >= b.grootte()) {
      res.end();
      return;
    }
    b.deel().apply(offset).onComplete(ar -> {
      if (ar.failed() || res.closed()) {
        res.reset();
        return;
      }
      res.write(ar.result());
      long next = offset + b.chunk();
      if (res.writeQueueFull()) {
        res.drainHandler(v -> pump(res, b, next));
      } else {
        pump(res, b, next);
      }
    });
  }

  /** A file name that is safe in any browser and file system, with the full name in filename*. */
  static String disposition(String omschrijving, String mediaType) {
    String ext = "application/pdf".equals(mediaType) ? ".pdf" : "";
    String base = omschrijving == null ? "" : omschrijving;
    if (!ext.isEmpty() && base.toLowerCase().endsWith(ext)) {
      base = base.substring(0, base.length() - ext.length());
    }
    String safe = base.replaceAll("[^A-Za-z0-9 ._-]", "_")
        .replaceAll("_+", "_")
        .replaceAll("^[ ._]+|[ .]+$", "");
    if (safe.isEmpty()) {
      safe = "bijlage";
    }
    if (safe.length() > 100) {
      safe = safe.substring(0, 100);
    }
    String full = URLEncoder.encode(base.isEmpty() ? "bijlage" : base, StandardCharsets.UTF_8)
        .replace("+", "%20");
    return "attachment; filename=\"" + safe + ext + "\"; filename*=UTF-8''" + full + ext;
  }
}
