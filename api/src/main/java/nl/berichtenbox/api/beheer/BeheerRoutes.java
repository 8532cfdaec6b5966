package nl.berichtenbox.api.beheer;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import nl.berichtenbox.api.http.Auth;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.engine.afnemers.Afnemers;

/** The operator face (contract §5): registering and changing afnemers. */
public final class BeheerRoutes {
  private final Afnemers afnemers;

  public BeheerRoutes(Afnemers afnemers) {
    this.afnemers = afnemers;
  }

  public void mount(Router router, RouteTable table, Auth auth) {
    String base = "/api/v1/beheer";
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
    table.add(router, POST, base + "/afnemers", body, Http.consumes(Http.JSON), auth.beheerder(),
        Http.respond(201, ctx -> afnemers.create(Http.bodyObject(ctx))));
    table.add(router, GET, base + "/afnemers", auth.beheerder(), Http.respond(200, ctx -> afnemers.list()));
    table.add(router, PATCH, base + "/afnemers/:oin", body,
        Http.consumes("application/merge-patch+json", Http.JSON), auth.beheerder(),
        Http.respond(200, ctx -> afnemers.patch(ctx.pathParam("oin"), Http.bodyObject(ctx))));
  }
}
