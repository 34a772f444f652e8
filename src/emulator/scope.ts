/**
 * Tenant scoping with `X-FusionAuth-TenantId` (or a tenant-locked API key).
 * @see https://fusionauth.io/docs/apis/authentication#making-an-api-request-using-a-tenant-id
 */
import type { RequestContext } from "./context";
import { generalError, notFound } from "./errors";
import type { Json } from "./state";

/** The tenant a create operation puts its object in: the scoped tenant, else the only tenant. */
export function tenantForCreate(ctx: RequestContext): Json {
  const { tenants } = ctx.emu.state;
  if (ctx.tenantId !== undefined) return tenants[ctx.tenantId];
  const all = Object.values(tenants);
  if (all.length === 1) return all[0];
  return generalError(
    "[TenantIdRequired]",
    "A Tenant Id is required to complete this request. To complete this request, you must specify the tenant using the X-FusionAuth-TenantId HTTP request header.",
  );
}

/** A tenant-scoped object when the request's tenant scope (if any) includes it; `undefined` otherwise. */
export function inScope<T extends { tenantId?: string }>(ctx: RequestContext, obj: T | undefined): T | undefined {
  if (obj === undefined || obj === null) return undefined;
  return ctx.tenantId === undefined || obj.tenantId === ctx.tenantId ? obj : undefined;
}

/** Returns a tenant-scoped object, or 404 when it is missing or belongs to another tenant than the scope. */
export function visible<T extends { tenantId?: string }>(ctx: RequestContext, obj: T | undefined): T {
  return inScope(ctx, obj) ?? notFound();
}
