/**
 * Applications API.
 * @see https://fusionauth.io/docs/apis/applications
 */
import { randomUUID } from "node:crypto";
import { buildApplication, FUSIONAUTH_APP_ID } from "../application-model";
import { ok, queryParam, type RequestContext, type Route } from "../context";
import { fieldError, generalError } from "../errors";
import { APPLICATION, assertJsonTypes, SEARCH } from "../json-types";
import { patchedObject } from "../patch-request";
import { tenantForCreate, visible } from "../scope";
import type { Json } from "../state";
import { revokeRefreshTokens } from "../tokens";

const scoped = (ctx: RequestContext): Json =>
  visible(ctx, ctx.emu.state.applications[ctx.params.applicationId as string]);

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

function create(ctx: RequestContext) {
  const { state } = ctx.emu;
  assertJsonTypes(ctx.body, { application: APPLICATION, sourceApplicationId: "uuid" });
  const id = ctx.params.applicationId ?? randomUUID();
  if (state.applications[id] !== undefined)
    fieldError("applicationId", "duplicate", `An application with id [${id}] already exists.`);
  const bodyTenant = ctx.body?.application?.tenantId;
  const tenant =
    ctx.tenantId === undefined && typeof bodyTenant === "string" && state.tenants[bodyTenant] !== undefined
      ? state.tenants[bodyTenant]
      : tenantForCreate(ctx);
  checkBodyTenant(ctx, tenant.id);
  let input = ctx.body?.application;
  if (ctx.body?.sourceApplicationId !== undefined) {
    const source = visible(ctx, state.applications[ctx.body.sourceApplicationId]);
    const copy = structuredClone(source);
    copy.oauthConfiguration = { ...copy.oauthConfiguration, clientSecret: undefined };
    copy.roles = (copy.roles ?? []).map((r: Json) => ({ ...r, id: undefined }));
    input = { ...copy, name: input?.name, tenantId: undefined };
  }
  const application = buildApplication(input, id, tenant.id, undefined, state, ctx.emu.clock.now());
  state.applications[id] = application;
  return ok({ application });
}

function replace(ctx: RequestContext, input: Json) {
  const existing = scoped(ctx);
  if (existing.active === false) {
    generalError(
      "[inactive]applicationId",
      `The application [${existing.id}] is inactive; reactivate it before updating it.`,
    );
  }
  checkBodyTenant(ctx, existing.tenantId);
  const application = buildApplication(
    input,
    existing.id,
    existing.tenantId,
    existing,
    ctx.emu.state,
    ctx.emu.clock.now(),
  );
  ctx.emu.state.applications[existing.id] = application;
  return ok({ application });
}

const base = { endpoint: "/api/application", auth: "apiKey" } as const;
const inScope = (ctx: RequestContext) => (a: Json) => ctx.tenantId === undefined || a.tenantId === ctx.tenantId;

export const applicationRoutes: Route[] = [
  {
    ...base,
    method: "POST",
    template: "/api/application/search",
    endpoint: "/api/application/search",
    kind: "read",
    handle: (ctx) => {
      assertJsonTypes(ctx.body, SEARCH);
      const c = ctx.body?.search ?? {};
      let apps = (Object.values(ctx.emu.state.applications) as Json[]).filter(inScope(ctx));
      if (c.name)
        apps = apps.filter((a) =>
          String(a.name).toLowerCase().includes(String(c.name).replace(/\*/g, "").toLowerCase()),
        );
      if (c.tenantId) apps = apps.filter((a) => a.tenantId === c.tenantId);
      if (c.state) apps = apps.filter((a) => a.state === c.state);
      const start = Number(c.startRow ?? 0);
      return ok({ applications: apps.slice(start, start + Number(c.numberOfResults ?? 25)), total: apps.length });
    },
  },
  { ...base, method: "POST", template: "/api/application", kind: "write", handle: create },
  { ...base, method: "POST", template: "/api/application/{applicationId}", kind: "write", handle: create },
  {
    ...base,
    method: "GET",
    template: "/api/application",
    kind: "read",
    handle: (ctx) => {
      const inactive = queryParam(ctx, "inactive") === "true";
      const apps = (Object.values(ctx.emu.state.applications) as Json[])
        .filter(inScope(ctx))
        .filter((a) => a.active !== inactive);
      return ok({ applications: apps });
    },
  },
  {
    ...base,
    method: "GET",
    template: "/api/application/{applicationId}",
    kind: "read",
    handle: (ctx) => ok({ application: scoped(ctx) }),
  },
  {
    ...base,
    method: "GET",
    template: "/api/application/{applicationId}/oauth-configuration",
    kind: "read",
    handle: (ctx) => {
      const a = scoped(ctx);
      return ok({
        oauthConfiguration: a.oauthConfiguration,
        httpSessionMaxInactiveInterval: ctx.emu.state.tenants[a.tenantId]?.httpSessionMaxInactiveInterval,
      });
    },
  },
  {
    ...base,
    method: "PUT",
    template: "/api/application/{applicationId}",
    kind: "write",
    handle: (ctx) => {
      if (queryParam(ctx, "reactivate") === "true") {
        const a = scoped(ctx);
        a.active = true;
        a.state = "Active";
        a.lastUpdateInstant = ctx.emu.clock.now();
        return ok({ application: a });
      }
      assertJsonTypes(ctx.body, { application: APPLICATION });
      return replace(ctx, ctx.body?.application);
    },
  },
  {
    ...base,
    method: "PATCH",
    template: "/api/application/{applicationId}",
    kind: "write",
    handle: (ctx) => {
      return replace(ctx, patchedObject(ctx, "application", scoped(ctx), APPLICATION));
    },
  },
  {
    ...base,
    method: "DELETE",
    template: "/api/application/{applicationId}",
    kind: "write",
    handle: (ctx) => {
      const { state } = ctx.emu;
      const a = scoped(ctx);
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
    },
  },
];
