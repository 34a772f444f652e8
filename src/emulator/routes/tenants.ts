/**
 * Tenants API.
 * @see https://fusionauth.io/docs/apis/tenants
 */
import { randomUUID } from "node:crypto";
import { ok, queryParam, type RequestContext, type Route } from "../context";
import { fieldError, generalError, notFound } from "../errors";
import { assertJsonTypes, SEARCH, TENANT } from "../json-types";
import { nameMatcher } from "../name-search";
import { patchedObject } from "../patch-request";
import type { Json } from "../state";
import { buildTenant, DEFAULT_TENANT_ID } from "../tenant-model";
import { revokeRefreshTokens } from "../tokens";

function scopedTenant(ctx: RequestContext): Json {
  const id = ctx.params.tenantId as string;
  if (ctx.tenantId !== undefined && ctx.tenantId !== id) return notFound();
  return ctx.emu.state.tenants[id] ?? notFound();
}

function create(ctx: RequestContext) {
  const { state } = ctx.emu;
  const id = ctx.params.tenantId ?? randomUUID();
  if (state.tenants[id] !== undefined) fieldError("tenantId", "duplicate", `A tenant with id [${id}] already exists.`);
  assertJsonTypes(ctx.body, { tenant: TENANT, sourceTenantId: "uuid" });
  let input = ctx.body?.tenant;
  if (ctx.body?.sourceTenantId !== undefined) {
    const source = state.tenants[ctx.body.sourceTenantId];
    if (source === undefined)
      fieldError("sourceTenantId", "invalid", `The source tenant [${ctx.body.sourceTenantId}] does not exist.`);
    input = { ...structuredClone(source), name: input?.name };
  }
  const tenant = buildTenant(input, id, undefined, state, ctx.emu.clock.now());
  state.tenants[id] = tenant;
  return ok({ tenant });
}

function search(ctx: RequestContext, criteria: Json) {
  const c = criteria ?? {};
  let tenants: Json[] = Object.values(ctx.emu.state.tenants);
  if (c.name) {
    const re = nameMatcher(c.name);
    tenants = tenants.filter((t) => re.test(t.name));
  }
  const [field = "name", dir = "ASC"] = String(c.orderBy ?? "name ASC").split(/\s+/);
  tenants.sort((a, b) => {
    const av = a[field];
    const bv = b[field];
    const cmp = typeof av === "string" ? av.localeCompare(bv) : av - bv;
    return dir.toUpperCase() === "DESC" ? -cmp : cmp;
  });
  const start = Number(c.startRow ?? 0);
  const n = Number(c.numberOfResults ?? 25);
  return ok({ tenants: tenants.slice(start, start + n), total: tenants.length });
}

function remove(ctx: RequestContext) {
  const { state } = ctx.emu;
  const tenant = scopedTenant(ctx);
  if (tenant.id === DEFAULT_TENANT_ID) generalError("[cannotDelete]tenantId", "The Default tenant cannot be deleted.");
  for (const a of Object.values(state.applications) as Json[])
    if (a.tenantId === tenant.id) delete state.applications[a.id];
  for (const u of Object.values(state.users)) if (u.user.tenantId === tenant.id) delete state.users[u.user.id];
  revokeRefreshTokens(state, { tenantId: tenant.id });
  delete state.tenants[tenant.id];
  const async = queryParam(ctx, "async") === "true" || ctx.body?.async === true;
  return { status: async ? 202 : 200 };
}

const base = { endpoint: "/api/tenant", auth: "apiKey" } as const;

export const tenantRoutes: Route[] = [
  {
    ...base,
    method: "POST",
    template: "/api/tenant/search",
    endpoint: "/api/tenant/search",
    kind: "read",
    globalOnly: true,
    handle: (ctx) => {
      assertJsonTypes(ctx.body, SEARCH);
      return search(ctx, ctx.body?.search);
    },
  },
  {
    ...base,
    method: "GET",
    template: "/api/tenant/search",
    endpoint: "/api/tenant/search",
    kind: "read",
    globalOnly: true,
    handle: (ctx) =>
      search(
        ctx,
        Object.fromEntries(["name", "numberOfResults", "orderBy", "startRow"].map((k) => [k, queryParam(ctx, k)])),
      ),
  },
  { ...base, method: "POST", template: "/api/tenant", kind: "write", globalOnly: true, handle: create },
  { ...base, method: "POST", template: "/api/tenant/{tenantId}", kind: "write", globalOnly: true, handle: create },
  {
    ...base,
    method: "GET",
    template: "/api/tenant",
    kind: "read",
    // Emulator choice: with a tenant scope only that tenant is listed.
    handle: (ctx) =>
      ok({
        tenants: Object.values(ctx.emu.state.tenants).filter(
          (t: Json) => ctx.tenantId === undefined || t.id === ctx.tenantId,
        ),
      }),
  },
  {
    ...base,
    method: "GET",
    template: "/api/tenant/{tenantId}",
    kind: "read",
    handle: (ctx) => ok({ tenant: scopedTenant(ctx) }),
  },
  {
    ...base,
    method: "PUT",
    template: "/api/tenant/{tenantId}",
    kind: "write",
    handle: (ctx) => {
      const existing = scopedTenant(ctx);
      assertJsonTypes(ctx.body, { tenant: TENANT });
      const tenant = buildTenant(ctx.body?.tenant, existing.id, existing, ctx.emu.state, ctx.emu.clock.now());
      ctx.emu.state.tenants[existing.id] = tenant;
      return ok({ tenant });
    },
  },
  {
    ...base,
    method: "PATCH",
    template: "/api/tenant/{tenantId}",
    kind: "write",
    handle: (ctx) => {
      const existing = scopedTenant(ctx);
      const merged = patchedObject(ctx, "tenant", existing, TENANT);
      const tenant = buildTenant(merged, existing.id, existing, ctx.emu.state, ctx.emu.clock.now());
      ctx.emu.state.tenants[existing.id] = tenant;
      return ok({ tenant });
    },
  },
  { ...base, method: "DELETE", template: "/api/tenant/{tenantId}", kind: "write", globalOnly: true, handle: remove },
];
