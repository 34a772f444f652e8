/**
 * The three `PATCH` bodies FusionAuth accepts, resolved to the object to validate and store: JSON Patch
 * (`application/json-patch+json`, applied to the request form `{tenant: …}`), JSON Merge Patch
 * (`application/merge-patch+json`, arrays replaced) and the legacy merge (`application/json`).
 * @see https://fusionauth.io/docs/apis/#the-patch-http-method
 */
import type { RequestContext } from "./context";
import { applyJsonPatch } from "./json-patch";
import { assertJsonTypes, type JsonType } from "./json-types";
import { mergePatch } from "./merge";
import type { Json } from "./state";

/** `existing` patched by the request body under `wrapper` (`tenant`, `application`, `user`), type-checked. */
export function patchedObject(ctx: RequestContext, wrapper: string, existing: Json, type: JsonType): Json {
  if (ctx.contentType.startsWith("application/json-patch+json")) {
    const doc = applyJsonPatch({ [wrapper]: existing }, ctx.body);
    assertJsonTypes(doc, { [wrapper]: type });
    return doc[wrapper] ?? {};
  }
  assertJsonTypes(ctx.body, { [wrapper]: type });
  const arrays = ctx.contentType.startsWith("application/merge-patch+json") ? "replace" : ctx.emu.patchArrays;
  return mergePatch(existing, ctx.body?.[wrapper] ?? {}, arrays);
}
