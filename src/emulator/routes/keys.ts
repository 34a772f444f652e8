/**
 * Keys API (Key Master), over the generic collection (collection.ts). Global: tenant-locked API keys and the
 * tenant header are refused. What is the key's own: creation by generating or importing material
 * (key-model.ts), a view without the private half, an update that only renames, and the shadow and in-use
 * keys a delete refuses.
 * @see https://fusionauth.io/docs/apis/keys
 */
import { collectionRoutes } from "../collection";
import { ok, type RequestContext, type Route } from "../context";
import { ApiError, fieldError, generalError, notFound } from "../errors";
import { KEY } from "../json-types";
import { generateKey, importKey, isShadowKey, keyUsages, keyView } from "../key-model";
import { nameMatcher } from "../name-search";
import type { Json, StoredKey } from "../state";
import { DEFAULT_TENANT_ID } from "../tenant-model";

function generate(ctx: RequestContext, input: Json, id: string): StoredKey {
  const issuer = ctx.emu.state.tenants[DEFAULT_TENANT_ID]?.issuer ?? "acme.com";
  return generateKey(input, id, ctx.emu.state, ctx.emu.clock.now(), issuer);
}

/** An update only renames: algorithm, material, kid, issuer and length stay (documented). */
function rename(ctx: RequestContext, input: Json, _id: string, existing: StoredKey | undefined): StoredKey {
  const key = existing ?? notFound(); // with creators, the collection calls this on update only
  const name = input?.name;
  if (typeof name !== "string" || name.trim() === "")
    fieldError("key.name", "blank", "You must specify the [name] of the key.");
  if (isShadowKey(key.id))
    fieldError("key.name", "invalid", "The OpenID Connect client secret keys cannot be renamed.");
  if (Object.values(ctx.emu.state.keys).some((k) => k.id !== key.id && k.name === name)) {
    fieldError("key.name", "duplicate", `A key with name = [${name}] already exists.`);
  }
  key.name = name;
  key.lastUpdateInstant = ctx.emu.clock.now();
  return key;
}

function select(ctx: RequestContext, c: Json): StoredKey[] {
  let keys = Object.values(ctx.emu.state.keys);
  if (c.algorithm) keys = keys.filter((k) => k.algorithm === c.algorithm);
  if (c.type) keys = keys.filter((k) => k.type === c.type);
  if (c.name) {
    const re = nameMatcher(c.name);
    keys = keys.filter((k) => re.test(k.name));
  }
  return keys.sort((a, b) => a.name.localeCompare(b.name));
}

function remove(ctx: RequestContext, key: StoredKey) {
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
}

export const keyRoutes: Route[] = collectionRoutes({
  collection: "keys",
  endpoint: "/api/key",
  wrapper: "key",
  idParam: "keyId",
  label: "key",
  globalOnly: true,
  type: KEY,
  patch: false,
  typesFirst: ["create"],
  creators: [
    { path: "/api/key/generate", build: generate },
    { path: "/api/key/import", build: (ctx, input, id) => importKey(input, id, ctx.emu.state, ctx.emu.clock.now()) },
  ],
  build: rename,
  present: keyView,
  list: {},
  search: { query: ["algorithm", "name", "type", "numberOfResults", "startRow"], select },
  remove,
});
