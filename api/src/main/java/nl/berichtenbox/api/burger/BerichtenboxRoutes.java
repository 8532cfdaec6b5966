package nl.berichtenbox.api.burger;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.PUT;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import nl.berichtenbox.api.http.Auth;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.api.http.Problems;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;
import nl.berichtenbox.engine.berichtenbox.BoxBerichten;

/** The citizen face (contract §3): the box, its messages and attachments, and voorkeuren. */
public final class BerichtenboxRoutes {
  private final Berichtenboxen boxen;
  private final BoxBerichten berichten;

  public BerichtenboxRoutes(Berichtenboxen boxen, BoxBerichten berichten) {
    this.boxen = boxen;
    this.berichten = berichten;
  }

  /** Mounts the face on {@code sub}, itself mounted at its prefix, first: the portal is the busiest caller. */
  public void mount(Router router, Router sub, RouteTable table, Auth auth) {
    String base = "/api/v1/berichtenbox";
    RouteTable.mount(router, base, sub);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(16 * 1024);
    table.add(
        sub, base, GET, "/", auth.burger(), Http.respond(200, ctx -> boxen.get(ctx.get(Auth.BSN))));
    table.add(
        sub,
        base,
        PUT,
        "/",
        body,
        Http.consumes(Http.JSON),
        auth.burger(),
        Http.respond(200, ctx -> boxen.put(ctx.get(Auth.BSN), Http.bodyObject(ctx))));

    table.add(
        sub,
        base,
        GET,
        "/berichten",
        auth.burger(),
        Http.respond(
            200, ctx -> berichten.lijst(ctx.get(Auth.BSN), ListQueries.from(ctx.request()))));
    table.add(
        sub,
        base,
        GET,
        "/berichten/:id",
        auth.burger(),
        Http.respond(200, ctx -> berichten.lees(ctx.get(Auth.BSN), ctx.pathParam("id"))));
    table.add(
        sub,
        base,
        PATCH,
        "/berichten/:id",
        body,
        Http.consumes("application/merge-patch+json", Http.JSON),
        auth.burger(),
        Http.respond(
            200,
            ctx -> berichten.wijzig(ctx.get(Auth.BSN), ctx.pathParam("id"), Http.bodyObject(ctx))));
    table.add(sub, base, DELETE, "/berichten/:id", auth.burger(), ctx -> {
      try {
        berichten
            .verwijder(ctx.get(Auth.BSN), ctx.pathParam("id"))
            .onSuccess(v -> ctx.response().setStatusCode(204).end())
            .onFailure(e -> Problems.fail(ctx, e));
      } catch (RuntimeException e) {
        Problems.fail(ctx, e);
      }
    });
    table.add(sub, base, GET, "/berichten/:id/bijlagen/:volgorde", auth.burger(), this::bijlage);
    // last: a route with a path parameter costs every request that passes it a regex match
    table.add(
        sub,
        base,
        GET,
        "/voorkeuren",
        auth.burger(),
        Http.respond(200, ctx -> boxen.voorkeuren(ctx.get(Auth.BSN))));
    table.add(
        sub,
        base,
        PUT,
        "/voorkeuren/:oin",
        body,
        Http.consumes(Http.JSON),
        auth.burger(),
        Http.respond(
            200,
            ctx ->
                boxen.putVoorkeur(ctx.get(Auth.BSN), ctx.pathParam("oin"), Http.bodyObject(ctx))));
  }

  /** Streams an attachment in chunks read from the database, writing only as fast as the client reads. */
  private void bijlage(RoutingContext ctx) {
    try {
      berichten
          .bijlage(ctx.get(Auth.BSN), ctx.pathParam("id"), ctx.pathParam("volgorde"))
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
