package nl.berichtenbox.api.beheer;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;
import nl.berichtenbox.api.http.Auth;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.sla.Incidenten;
import nl.berichtenbox.engine.sla.OnderhoudsKalender;
import nl.berichtenbox.engine.sla.SlaRapportage;

/** The operator face (contract §5): afnemers, incidents, the maintenance calendar. */
public final class BeheerRoutes {
  private final Afnemers afnemers;
  private final Incidenten incidenten;
  private final OnderhoudsKalender kalender;
  private final Clock clock;

  private final SlaRapportage rapportage;

  public BeheerRoutes(
      Afnemers afnemers,
      Incidenten incidenten,
      OnderhoudsKalender kalender,
      SlaRapportage rapportage,
      Clock clock) {
    this.afnemers = afnemers;
    this.incidenten = incidenten;
    this.kalender = kalender;
    this.rapportage = rapportage;
    this.clock = clock;
  }

  public void mount(Router router, RouteTable table, Auth auth) {
    String base = "/api/v1/beheer";
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
    table.add(
        router,
        POST,
        base + "/afnemers",
        body,
        Http.consumes(Http.JSON),
        auth.beheerder(),
        Http.respond(201, ctx -> afnemers.create(Http.bodyObject(ctx))));
    table.add(
        router,
        GET,
        base + "/afnemers",
        auth.beheerder(),
        Http.respond(200, ctx -> afnemers.list()));
    table.add(
        router,
        PATCH,
        base + "/afnemers/:oin",
        body,
        Http.consumes("application/merge-patch+json", Http.JSON),
        auth.beheerder(),
        Http.respond(200, ctx -> afnemers.patch(ctx.pathParam("oin"), Http.bodyObject(ctx))));
    table.add(
        router,
        POST,
        base + "/incidenten",
        body,
        Http.consumes(Http.JSON),
        auth.beheerder(),
        Http.respond(201, ctx -> incidenten.registreer(Http.bodyObject(ctx))));
    table.add(
        router,
        GET,
        base + "/incidenten",
        auth.beheerder(),
        Http.respond(200, ctx -> incidenten.vanMaand(Http.monthParam(ctx, "maand", clock))));
    table.add(
        router,
        PATCH,
        base + "/incidenten/:id",
        body,
        Http.consumes("application/merge-patch+json", Http.JSON),
        auth.beheerder(),
        Http.respond(200, ctx -> incidenten.wijzig(ctx.pathParam("id"), Http.bodyObject(ctx))));
    table.add(
        router,
        GET,
        base + "/onderhoudsvensters",
        auth.beheerder(),
        Http.respond(200, ctx -> kalender.maand(Http.monthParam(ctx, "maand", clock))));
    table.add(
        router,
        POST,
        base + "/onderhoudsvensters/verplaatsingen",
        body,
        Http.consumes(Http.JSON),
        auth.beheerder(),
        Http.respond(201, ctx -> kalender.verplaats(Http.bodyObject(ctx))));
    // JSON, or with Accept: text/html the same report as a page
    table.add(router, GET, base + "/sla-rapportages/:maand", auth.beheerder(), ctx -> {
      YearMonth month;
      String m = ctx.pathParam("maand");
      try {
        if (!m.matches("^\\d{4}-\\d{2}$")) {
          throw new DateTimeParseException("", m, 0);
        }
        month = YearMonth.parse(m);
      } catch (DateTimeParseException e) {
        ctx.fail(ClientErrorException.badRequest(
            "ongeldige maand",
            List.of(new InvalidParam("maand", "een maand als JJJJ-MM, zoals 2026-11"))));
        return;
      }
      String accept = ctx.request().getHeader("Accept");
      boolean html =
          accept != null && accept.contains("text/html") && !accept.contains("application/json");
      rapportage
          .van(month)
          .onSuccess(r -> {
            if (html) {
              ctx.response()
                  .putHeader("Content-Type", "text/html; charset=utf-8")
                  .end(SlaPage.van(r));
            } else {
              Http.json(ctx, 200, r);
            }
          })
          .onFailure(ctx::fail);
    });
  }
}
