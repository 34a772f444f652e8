/**
 * Applications API, over the generic collection (collection.ts): what is the application's own is its model
 * (application-model.ts), its tenant (scoped, never changed), a create copying a source application, the
 * reactivation, the soft delete and the OAuth configuration route.
 * @see https://fusionauth.io/docs/apis/applications
 */
import { buildApplication, FUSIONAUTH_APP_ID } from "../application-model";
import { collectionRoutes } from "../collection";
import { ok, queryParam, type RequestContext, type Route } from "../context";
import { fieldError, generalError } from "../errors";
import { APPLICATION } from "../json-types";
import { inScope, tenantForCreate, visible } from "../scope";
import type { Json } from "../state";
import { revokeRefreshTokens } from "../tokens";

/** Emulator choice: a body `tenantId` is accepted when it names the tenant in scope, refused otherwise. */
function checkBodyTenant(ctx: RequestContext, tenantId: string): void {
  const sent = ctx.body?.application?.tenantId;
  if (sent !== undefined && sent !== null && sent !== tenantId) {
    fieldError(
      "application.tenantId",
      "invalid",
      `The [tenantId] of an application cannot be changed or differ from the request's tenant [${tenantId}].`,
    );
  }
}

function create(ctx: RequestContext, input: Json, id: string): Json {
  const { state } = ctx.emu;
  const bodyTenant = ctx.body?.application?.tenantId;
  const tenant =
    ctx.tenantId === undefined && typeof bodyTenant === "string" && state.tenants[bodyTenant] !== undefined
      ? state.tenants[bodyTenant]
      : tenantForCreate(ctx);
  checkBodyTenant(ctx, tenant.id);
  if (ctx.body?.sourceApplicationId !== undefined) {
    const source = visible(ctx, state.applications[ctx.body.sourceApplicationId]);
    const copy = structuredClone(source);
    copy.oauthConfiguration = { ...copy.oauthConfiguration, clientSecret: undefined };
    copy.roles = (copy.roles ?? []).map((r: Json) => ({ ...r, id: undefined }));
    input = { ...copy, name: input?.name, tenantId: undefined };
  }
  return buildApplication(input, id, tenant.id, undefined, state, ctx.emu.clock.now());
}

function build(ctx: RequestContext, input: Json, id: string, existing: Json | undefined): Json {
  if (existing === undefined) return create(ctx, input, id);
  if (existing.active === false) {
    generalError(
      "[inactive]applicationId",
      `The application [${existing.id}] is inactive; reactivate it before updating it.`,
    );
  }
  checkBodyTenant(ctx, existing.tenantId);
  return buildApplication(input, existing.id, existing.tenantId, existing, ctx.emu.state, ctx.emu.clock.now());
}

function reactivate(ctx: RequestContext, lookup: () => Json): Json | undefined {
  if (queryParam(ctx, "reactivate") !== "true") return undefined;
  const a = lookup();
  a.active = true;
  a.state = "Active";
  a.lastUpdateInstant = ctx.emu.clock.now();
  return a;
}

function select(ctx: RequestContext, c: Json): Json[] {
  let apps = (Object.values(ctx.emu.state.applications) as Json[]).filter((a) => inScope(ctx, a) !== undefined);
  if (c.name)
    apps = apps.filter((a) => String(a.name).toLowerCase().includes(String(c.name).replace(/\*/g, "").toLowerCase()));
  if (c.tenantId) apps = apps.filter((a) => a.tenantId === c.tenantId);
  if (c.state) apps = apps.filter((a) => a.state === c.state);
  return apps;
}

function remove(ctx: RequestContext, a: Json) {
  const { state } = ctx.emu;
  if (a.id === FUSIONAUTH_APP_ID)
    generalError("[cannotDelete]applicationId", "The FusionAuth application cannot be deleted.");
  if (queryParam(ctx, "hardDelete") === "true") {
    delete state.applications[a.id];
    for (const u of Object.values(state.users)) {
      u.user.registrations = (u.user.registrations ?? []).filter((r: Json) => r.applicationId !== a.id);
    }
  } else {
    a.active = false;
    a.state = "Inactive";
    a.lastUpdateInstant = ctx.emu.clock.now();
  }
  revokeRefreshTokens(state, { applicationId: a.id });
  return ok();
}

export const applicationRoutes: Route[] = [
  ...collectionRoutes({
    collection: "applications",
    endpoint: "/api/application",
    wrapper: "application",
    idParam: "applicationId",
    label: "application",
    article: "An",
    type: APPLICATION,
    createTypes: { sourceApplicationId: "uuid" },
    typesFirst: ["create", "update"],
    build,
    shortcut: reactivate,
    visible: (ctx, a) => inScope(ctx, a) !== undefined,
    list: { listed: (ctx, a) => a.active !== (queryParam(ctx, "inactive") === "true") },
    search: { select },
    remove,
  }),
  {
    method: "GET",
    template: "/api/application/{applicationId}/oauth-configuration",
    endpoint: "/api/application",
    kind: "read",
    auth: "apiKey",
    handle: (ctx) => {
      const a = visible(ctx, ctx.emu.state.applications[ctx.params.applicationId as string]);
      return ok({
        oauthConfiguration: a.oauthConfiguration,
        httpSessionMaxInactiveInterval: ctx.emu.state.tenants[a.tenantId]?.httpSessionMaxInactiveInterval,
      });
    },
  },
];
