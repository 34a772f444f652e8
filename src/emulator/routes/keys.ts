/**
 * Keys API (Key Master). Global: tenant-locked API keys and the tenant header are refused.
 * @see https://fusionauth.io/docs/apis/keys
 */
import { randomUUID } from "node:crypto";
import { ok, queryParam, type RequestContext, type Route } from "../context";
import { ApiError, fieldError, generalError, notFound } from "../errors";
import { assertJsonTypes, KEY, SEARCH } from "../json-types";
import { generateKey, importKey, isShadowKey, keyUsages, keyView } from "../key-model";
import { nameMatcher } from "../name-search";
import type { Json, StoredKey } from "../state";
import { DEFAULT_TENANT_ID } from "../tenant-model";

function newKeyId(ctx: RequestContext): string {
  assertJsonTypes(ctx.body, { key: KEY });
  const id = ctx.params.keyId ?? randomUUID();
  if (ctx.emu.state.keys[id] !== undefined) fieldError("keyId", "duplicate", `A key with id [${id}] already exists.`);
  return id;
}

function store(ctx: RequestContext, key: StoredKey) {
  ctx.emu.state.keys[key.id] = key;
  return ok({ key: keyView(key) });
}

function search(ctx: RequestContext, criteria: Json) {
  const c = criteria ?? {};
  let keys = Object.values(ctx.emu.state.keys);
  if (c.algorithm) keys = keys.filter((k) => k.algorithm === c.algorithm);
  if (c.type) keys = keys.filter((k) => k.type === c.type);
  if (c.name) {
    const re = nameMatcher(c.name);
    keys = keys.filter((k) => re.test(k.name));
  }
  keys.sort((a, b) => a.name.localeCompare(b.name));
  const start = Number(c.startRow ?? 0);
  const n = Number(c.numberOfResults ?? 25);
  return ok({ keys: keys.slice(start, start + n).map(keyView), total: keys.length });
}

const base = { endpoint: "/api/key", auth: "apiKey", globalOnly: true } as const;

export const keyRoutes: Route[] = [
  ...["/api/key/generate", "/api/key/generate/{keyId}"].map(
    (template): Route => ({
      ...base,
      method: "POST",
      template,
      endpoint: "/api/key/generate",
      kind: "write",
      handle: (ctx) => {
        const issuer = ctx.emu.state.tenants[DEFAULT_TENANT_ID]?.issuer ?? "acme.com";
        return store(ctx, generateKey(ctx.body?.key, newKeyId(ctx), ctx.emu.state, ctx.emu.clock.now(), issuer));
      },
    }),
  ),
  ...["/api/key/import", "/api/key/import/{keyId}"].map(
    (template): Route => ({
      ...base,
      method: "POST",
      template,
      endpoint: "/api/key/import",
      kind: "write",
      handle: (ctx) => store(ctx, importKey(ctx.body?.key, newKeyId(ctx), ctx.emu.state, ctx.emu.clock.now())),
    }),
  ),
  {
    ...base,
    method: "GET",
    template: "/api/key/search",
    endpoint: "/api/key/search",
    kind: "read",
    handle: (ctx) =>
      search(
        ctx,
        Object.fromEntries(
          ["algorithm", "name", "type", "numberOfResults", "startRow"].map((k) => [k, queryParam(ctx, k)]),
        ),
      ),
  },
  {
    ...base,
    method: "POST",
    template: "/api/key/search",
    endpoint: "/api/key/search",
    kind: "read",
    handle: (ctx) => {
      assertJsonTypes(ctx.body, SEARCH);
      return search(ctx, ctx.body?.search);
    },
  },
  {
    ...base,
    method: "GET",
    template: "/api/key",
    kind: "read",
    handle: (ctx) => ok({ keys: Object.values(ctx.emu.state.keys).map(keyView) }),
  },
  {
    ...base,
    method: "GET",
    template: "/api/key/{keyId}",
    kind: "read",
    handle: (ctx) => {
      const key = ctx.emu.state.keys[ctx.params.keyId as string] ?? notFound();
      return ok({ key: keyView(key) });
    },
  },
  {
    ...base,
    method: "PUT",
    template: "/api/key/{keyId}",
    kind: "write",
    handle: (ctx) => {
      const key = ctx.emu.state.keys[ctx.params.keyId as string] ?? notFound();
      assertJsonTypes(ctx.body, { key: KEY });
      const name = ctx.body?.key?.name;
      if (typeof name !== "string" || name.trim() === "")
        fieldError("key.name", "blank", "You must specify the [name] of the key.");
      if (isShadowKey(key.id))
        fieldError("key.name", "invalid", "The OpenID Connect client secret keys cannot be renamed.");
      if (Object.values(ctx.emu.state.keys).some((k) => k.id !== key.id && k.name === name)) {
        fieldError("key.name", "duplicate", `A key with name = [${name}] already exists.`);
      }
      // Only the name changes; algorithm, material, kid, issuer and length stay (documented).
      key.name = name;
      key.lastUpdateInstant = ctx.emu.clock.now();
      return ok({ key: keyView(key) });
    },
  },
  {
    ...base,
    method: "DELETE",
    template: "/api/key/{keyId}",
    kind: "write",
    handle: (ctx) => {
      const key = ctx.emu.state.keys[ctx.params.keyId as string] ?? notFound();
      if (isShadowKey(key.id))
        generalError("[cannotDelete]keyId", "The OpenID Connect client secret keys cannot be deleted.");
      const uses = keyUsages(ctx.emu.state, key.id);
      if (uses.length > 0) {
        throw new ApiError(400, {
          fieldErrors: {
            keyId: [
              {
                code: "[inUse]keyId",
                message: `The key with id [${key.id}] cannot be deleted because it is in use by ${uses.join(", ")}.`,
                data: { usedBy: uses },
              },
            ],
          },
        });
      }
      delete ctx.emu.state.keys[key.id];
      return ok();
    },
  },
];
