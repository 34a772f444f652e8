/**
 * Tenants API, over the generic collection (collection.ts): what is the tenant's own is its model
 * (tenant-model.ts), a create copying a source tenant, the search's order and what a delete takes with it.
 * @see https://fusionauth.io/docs/apis/tenants
 */
import { collectionRoutes } from "../collection";
import { queryParam, type RequestContext, type Route } from "../context";
import { fieldError, generalError } from "../errors";
import { TENANT } from "../json-types";
import { nameMatcher } from "../name-search";
import type { Json } from "../state";
import { buildTenant, DEFAULT_TENANT_ID } from "../tenant-model";
import { revokeRefreshTokens } from "../tokens";

function build(ctx: RequestContext, input: Json, id: string, existing: Json | undefined): Json {
  const { state } = ctx.emu;
  const sourceTenantId = existing === undefined ? ctx.body?.sourceTenantId : undefined;
  if (sourceTenantId !== undefined) {
    const source = state.tenants[sourceTenantId];
    if (source === undefined)
      fieldError("sourceTenantId", "invalid", `The source tenant [${sourceTenantId}] does not exist.`);
    input = { ...structuredClone(source), name: input?.name };
  }
  return buildTenant(input, id, existing, state, ctx.emu.clock.now());
}

function select(ctx: RequestContext, c: Json): Json[] {
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
  return tenants;
}

function remove(ctx: RequestContext, tenant: Json) {
  const { state } = ctx.emu;
  if (tenant.id === DEFAULT_TENANT_ID) generalError("[cannotDelete]tenantId", "The Default tenant cannot be deleted.");
  for (const a of Object.values(state.applications) as Json[])
    if (a.tenantId === tenant.id) delete state.applications[a.id];
  for (const u of Object.values(state.users)) if (u.user.tenantId === tenant.id) delete state.users[u.user.id];
  revokeRefreshTokens(state, { tenantId: tenant.id });
  delete state.tenants[tenant.id];
  const async = queryParam(ctx, "async") === "true" || ctx.body?.async === true;
  return { status: async ? 202 : 200 };
}

export const tenantRoutes: Route[] = collectionRoutes({
  collection: "tenants",
  endpoint: "/api/tenant",
  wrapper: "tenant",
  idParam: "tenantId",
  label: "tenant",
  globalOnly: ["create", "search", "delete"],
  type: TENANT,
  createTypes: { sourceTenantId: "uuid" },
  build,
  // A tenant scope sees its own tenant only (emulator choice for the list).
  visible: (ctx, tenant) => ctx.tenantId === undefined || tenant.id === ctx.tenantId,
  list: {},
  search: { query: ["name", "numberOfResults", "orderBy", "startRow"], select },
  remove,
});
