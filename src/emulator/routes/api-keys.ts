/**
 * API Key API (`/api/api-key`), over the generic collection (collection.ts). What FusionAuth documents, and the
 * emulator enforces: only a key manager may call it; a key may only create, read, change or delete keys of
 * equal or lesser authority (every endpoint and method of theirs it has itself; only a super key makes a super
 * key); a tenant-locked key only keys locked to its tenant. Where the documentation names no status, the
 * emulator answers 401 with an empty body, as FusionAuth does for any key not allowed to act (docs/emulator.md).
 * @see https://fusionauth.io/docs/apis/api-keys
 */
import { randomBytes } from "node:crypto";
import { type ApiKeySpec, isPermitted } from "../api-keys";
import { collectionRoutes } from "../collection";
import type { RequestContext, Route } from "../context";
import { ErrorCollector, fieldError, unauthorized } from "../errors";
import { assertJsonTypes, type JsonType } from "../json-types";
import type { Json, StoredApiKey } from "../state";

const API_KEY: JsonType = {
  object: {
    key: "string",
    keyManager: "boolean",
    tenantId: "uuid",
    permissions: { object: { endpoints: "object" } },
    metaData: { object: { attributes: "object" } },
  },
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Whether `caller` has every endpoint and method of a key with `endpoints` (a super key has all). */
function covers(caller: ApiKeySpec, endpoints: Record<string, string[]> | undefined): boolean {
  const mine = caller.permissions?.endpoints;
  if (mine === undefined || Object.keys(mine).length === 0) return true;
  if (endpoints === undefined || Object.keys(endpoints).length === 0) return false;
  return Object.entries(endpoints).every(([e, ms]) => ms.every((m) => isPermitted(caller, e, m.toUpperCase())));
}

/** The endpoint permissions of a request's key, checked: `/api/...` paths to lists of HTTP methods. */
function endpointsOf(input: Json): Record<string, string[]> | undefined {
  const endpoints = input?.permissions?.endpoints;
  if (endpoints === undefined || endpoints === null) return undefined;
  const errors = new ErrorCollector();
  const out: Record<string, string[]> = {};
  for (const [endpoint, methods] of Object.entries(endpoints as Record<string, unknown>)) {
    const valid =
      endpoint.startsWith("/api/") &&
      Array.isArray(methods) &&
      methods.every((m) => typeof m === "string" && METHODS.includes(m.toUpperCase()));
    if (!valid)
      errors.field(
        "apiKey.permissions.endpoints",
        "invalid",
        `The endpoint [${endpoint}] must be an API path with a list of HTTP methods (${METHODS.join(", ")}).`,
      );
    else out[endpoint] = (methods as string[]).map((m) => m.toUpperCase());
  }
  errors.throwIfAny();
  return out;
}

function caller(ctx: RequestContext): ApiKeySpec {
  return ctx.apiKey ?? unauthorized();
}

/** The tenant a key is locked to: as given, else the locked caller's; a locked caller cannot give another. */
function tenantOf(ctx: RequestContext, input: Json, existing: StoredApiKey | undefined): string | undefined {
  const given: string | undefined = input?.tenantId ?? existing?.tenantId;
  if (ctx.tenantId !== undefined && given !== undefined && given.toLowerCase() !== ctx.tenantId) unauthorized();
  const tenantId = given?.toLowerCase() ?? ctx.tenantId;
  if (tenantId !== undefined && ctx.emu.state.tenants[tenantId] === undefined)
    fieldError("apiKey.tenantId", "invalid", `The tenant [${tenantId}] does not exist.`);
  return tenantId;
}

function build(ctx: RequestContext, input: Json, id: string, existing: StoredApiKey | undefined): StoredApiKey {
  assertJsonTypes(ctx.body, { apiKey: API_KEY });
  if (input === undefined || input === null) fieldError("apiKey", "missing", "You must specify the [apiKey] property.");
  const endpoints = endpointsOf(input);
  if (!covers(caller(ctx), endpoints)) unauthorized();
  const key: string = existing?.key ?? input.key ?? randomBytes(32).toString("base64url");
  if (existing === undefined && Object.values(ctx.emu.state.apiKeys).some((k) => k.key === key))
    fieldError("apiKey.key", "duplicate", "An API key with this value already exists.");
  const now = ctx.emu.clock.now();
  const record: StoredApiKey = {
    id,
    key,
    keyManager: input.keyManager === true,
    insertInstant: existing?.insertInstant ?? now,
    lastUpdateInstant: now,
  };
  if (endpoints !== undefined && Object.keys(endpoints).length > 0) record.permissions = { endpoints };
  const tenantId = tenantOf(ctx, input, existing);
  if (tenantId !== undefined) record.tenantId = tenantId;
  if (input.metaData?.attributes !== undefined) record.metaData = { attributes: { ...input.metaData.attributes } };
  return record;
}

export const apiKeyRoutes: Route[] = collectionRoutes({
  collection: "apiKeys",
  endpoint: "/api/api-key",
  wrapper: "apiKey",
  idParam: "keyId",
  label: "API key",
  article: "An",
  guard: (ctx) => {
    if (caller(ctx).keyManager !== true) unauthorized();
  },
  build,
  visible: (ctx, record) => {
    if (ctx.tenantId !== undefined && record.tenantId !== ctx.tenantId) return false;
    if (!covers(caller(ctx), record.permissions?.endpoints)) unauthorized();
    return true;
  },
});
