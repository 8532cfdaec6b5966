package nl.berichtenbox.api.burger;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PUT;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import nl.berichtenbox.api.http.Auth;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;

/** The citizen face (contract §3), as far as the foundation goes: the box and its voorkeuren. */
public final class BerichtenboxRoutes {
  private final Berichtenboxen boxen;

  public BerichtenboxRoutes(Berichtenboxen boxen) {
    this.boxen = boxen;
  }

  public void mount(Router router, RouteTable table, Auth auth) {
    String base = "/api/v1/berichtenbox";
    BodyHandler body = BodyHandler.create(false).setBodyLimit(16 * 1024);
    table.add(router, GET, base, auth.burger(), Http.respond(200, ctx -> boxen.get(ctx.get(Auth.BSN))));
    table.add(router, PUT, base, body, Http.consumes(Http.JSON), auth.burger(),
        Http.respond(200, ctx -> boxen.put(ctx.get(Auth.BSN), Http.bodyObject(ctx))));
    table.add(router, GET, base + "/voorkeuren", auth.burger(),
        Http.respond(200, ctx -> boxen.voorkeuren(ctx.get(Auth.BSN))));
    table.add(router, PUT, base + "/voorkeuren/:oin", body, Http.consumes(Http.JSON), auth.burger(),
        Http.respond(200, ctx -> boxen.putVoorkeur(ctx.get(Auth.BSN), ctx.pathParam("oin"), Http.bodyObject(ctx))));
  }
}
