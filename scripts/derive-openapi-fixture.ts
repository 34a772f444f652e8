/**
 * Derives, from FusionAuth's own OpenAPI description, the schemas of the routes the kit uses into a fixture
 * committed in the repository (test/fixtures/fusionauth-openapi/routes-1.69.0.json), so the contract test
 * (test/fusionauth/openapi-contract.int.test.ts) runs without the description itself.
 *
 *   npx tsx scripts/derive-openapi-fixture.ts --openapi PATH/openapi-1.69.0.yaml          # write the fixture
 *   npx tsx scripts/derive-openapi-fixture.ts --openapi PATH/openapi-1.69.0.yaml --check  # fail when stale
 *
 * The description is FusionAuth's (Apache-2.0, FusionAuth/fusionauth-openapi, file `openapi.yaml`, commit
 * f07c95a2); the fixture carries that attribution. Its known gaps are patched below, each with why.
 *
 * @see https://github.com/FusionAuth/fusionauth-openapi
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";

type Schema = Record<string, unknown>;
type Method = "get" | "post" | "put" | "patch" | "delete";

/** The routes the kit calls (src/fusionauth/client-port.ts, the revoke command) and the emulator answers. */
export const ROUTES: { method: Method; path: string; why: string }[] = [
  { method: "get", path: "/api/key", why: "retrieveKeys: every key, to observe the rotation" },
  { method: "get", path: "/api/key/{keyId}", why: "retrieveKey: a signing key by its deterministic id" },
  { method: "post", path: "/api/key/generate/{keyId}", why: "generateKey: a signing key generated inside FusionAuth" },
  { method: "put", path: "/api/key/{keyId}", why: "renameKey: a key's name follows the rotation" },
  { method: "delete", path: "/api/key/{keyId}", why: "deleteKey: a retired key past retention" },
  { method: "post", path: "/api/key/search", why: "searchKeys: keys by name (emulator contract)" },
  { method: "get", path: "/api/tenant/{tenantId}", why: "retrieveTenant" },
  { method: "post", path: "/api/tenant/{tenantId}", why: "createTenant with a deterministic id" },
  {
    method: "put",
    path: "/api/tenant/{tenantId}",
    why: "updateTenant: the managed fields written into the whole object",
  },
  { method: "delete", path: "/api/tenant/{tenantId}", why: "deleteTenant" },
  { method: "get", path: "/api/application/{applicationId}", why: "retrieveApplication" },
  { method: "post", path: "/api/application/{applicationId}", why: "createApplication with a deterministic id" },
  { method: "put", path: "/api/application/{applicationId}", why: "updateApplication" },
  { method: "delete", path: "/api/application/{applicationId}", why: "deleteApplication" },
  { method: "delete", path: "/api/jwt/refresh", why: "revoke refresh tokens (fakit revoke)" },
  { method: "get", path: "/.well-known/jwks.json", why: "retrieveJwks: what bundles are built from" },
  { method: "get", path: "/.well-known/openid-configuration", why: "discovery: the issuer and jwks_uri apps read" },
];

/**
 * The routes apps and test suites call on the emulator (issue #26): checked by
 * test/emulator/app-routes.openapi.int.test.ts against test/fixtures/fusionauth-openapi/app-routes-1.69.0.json
 * (`--set app`).
 */
export const APP_ROUTES: { method: Method; path: string; why: string }[] = [
  { method: "get", path: "/api/user", why: "retrieveUserByEmail / ByUsername / ByLoginId" },
  { method: "get", path: "/api/user/search", why: "searchUsersByIds" },
  { method: "post", path: "/api/user/search", why: "searchUsersByQuery with ids or queryString *" },
  { method: "post", path: "/oauth2/token", why: "authorization_code (PKCE), password and refresh_token grants" },
  { method: "get", path: "/oauth2/userinfo", why: "what sign-in libraries call after the code exchange" },
  {
    method: "get",
    path: "/api/jwt/validate",
    why: "validateJWT, with the Authorization header or the access_token cookie",
  },
];

export const NOTICE =
  "Derived from FusionAuth's OpenAPI description of its API, version 1.69.0, file openapi.yaml of " +
  "https://github.com/FusionAuth/fusionauth-openapi (commit f07c95a2), Copyright FusionAuth, licensed under the " +
  "Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0). Only the schemas of the routes the kit uses " +
  "are kept; the patches listed under `gaps` were applied. Regenerate with scripts/derive-openapi-fixture.ts.";

/**
 * The description's known gaps (checked against FusionAuth's docs and the 1.69 TypeScript client), each handled
 * here explicitly. `applied` says what the fixture does about it.
 */
function patchGaps(schemas: Record<string, Schema>): { gap: string; applied: string }[] {
  const gaps: { gap: string; applied: string }[] = [];

  // Gap 1: `Errors.fieldErrors` is declared as an array; FusionAuth answers a map of field name to an array of
  // errors (docs: https://fusionauth.io/docs/apis/errors, and the client's `Errors` type).
  const errors = schemas.Errors as Schema | undefined;
  const errorProps = errors?.properties as Record<string, Schema> | undefined;
  if (errorProps?.fieldErrors !== undefined) {
    errorProps.fieldErrors = {
      type: "object",
      additionalProperties: { type: "array", items: { $ref: "#/components/schemas/Error" } },
    };
    gaps.push({
      gap: "Errors.fieldErrors declared as an array",
      applied: "patched to a map of field name to errors (Errors is derived only once error answers are checked)",
    });
  }

  // Gap 2: 401 and 404 answers have empty bodies in FusionAuth, although the description declares a JSON error
  // body. The contract test checks 2xx answers only, so nothing reads those declarations; recorded, not patched.
  gaps.push({
    gap: "401 and 404 answers are declared with a JSON Errors body; FusionAuth sends none",
    applied: "not used: only request bodies and 2xx responses are derived",
  });

  // Gap 3: `JWTConfiguration` lacks `accessTokenVerificationKeyIds` and `idTokenVerificationKeyIds`, which the
  // 1.69 client has and the kit sends (retired keys stay trusted for verification).
  const jwt = schemas.JWTConfiguration?.properties as Record<string, Schema> | undefined;
  if (jwt !== undefined) {
    for (const name of ["accessTokenVerificationKeyIds", "idTokenVerificationKeyIds"]) {
      jwt[name] ??= { type: "array", items: { type: "string", format: "uuid" } };
    }
    gaps.push({
      gap: "JWTConfiguration lacks accessTokenVerificationKeyIds and idTokenVerificationKeyIds",
      applied: "added as arrays of UUID strings, as in the 1.69 client's JWTConfiguration",
    });
  }

  // Gap 4: `UserSearchCriteria` lacks the paging fields of its base class (BaseSearchCriteria): numberOfResults,
  // startRow and orderBy, which the 1.69 client's UserSearchCriteria has and the Search API documents.
  const search = schemas.UserSearchCriteria?.properties as Record<string, Schema> | undefined;
  if (search !== undefined) {
    search.numberOfResults ??= { type: "integer" };
    search.startRow ??= { type: "integer" };
    search.orderBy ??= { type: "string" };
    gaps.push({
      gap: "UserSearchCriteria lacks numberOfResults, startRow and orderBy",
      applied: "added (integer, integer, string), as in the 1.69 client's BaseSearchCriteria",
    });
  }

  // Gap 5: `JWT` declares the Java field `otherClaims`; FusionAuth serializes those claims at the top level of the
  // token (tid, applicationId, roles, authenticationType, auth_time, ...), as the validate example shows. And its
  // `aud` (a Java Object) is declared an object, while it is a string (or a list of strings, RFC 7519).
  const token = schemas.JWT as Schema | undefined;
  const tokenProps = token?.properties as Record<string, Schema> | undefined;
  if (token !== undefined && tokenProps !== undefined) {
    token.additionalProperties = true;
    tokenProps.aud = { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };
    gaps.push({
      gap: "JWT models custom claims as `otherClaims` and `aud` as an object; FusionAuth writes top-level claims and a string aud",
      applied: "JWT left open (additionalProperties: true); aud a string or a list of strings",
    });
  }
  return gaps;
}

/** Every `#/components/schemas/X` name reachable from `start`. */
function reachable(start: unknown, all: Record<string, Schema>, seen = new Set<string>()): Set<string> {
  const stack: unknown[] = [start];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (typeof node === "object" && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")) {
          const name = v.slice("#/components/schemas/".length);
          if (!seen.has(name)) {
            seen.add(name);
            stack.push(all[name]);
          }
        } else stack.push(v);
      }
    }
  }
  return seen;
}

function schemaRef(content: unknown): string | null {
  const schema = (content as { "application/json"?: { schema?: { $ref?: string } } } | undefined)?.["application/json"]
    ?.schema;
  return schema?.$ref ?? null;
}

/** The fixture for a parsed description. */
export function deriveFixture(
  description: {
    info: { version: string };
    paths: Record<string, Record<string, Schema>>;
    components: { schemas: Record<string, Schema> };
  },
  wanted = ROUTES,
) {
  const all = structuredClone(description.components.schemas);
  const gaps = patchGaps(all);
  const routes = wanted.map(({ method, path, why }) => {
    const op = description.paths[path]?.[method] as Schema | undefined;
    if (op === undefined) throw new Error(`the description has no ${method.toUpperCase()} ${path}`);
    const responses = op.responses as Record<string, { content?: unknown }>;
    return {
      method: method.toUpperCase(),
      path,
      operationId: op.operationId as string,
      why,
      request: schemaRef((op.requestBody as { content?: unknown } | undefined)?.content),
      response: schemaRef(responses["200"]?.content),
    };
  });
  const names = reachable(
    routes.flatMap((r) => [r.request, r.response].filter((x) => x !== null).map(($ref) => ({ $ref }))),
    all,
  );
  const schemas = Object.fromEntries([...names].sort().map((n) => [n, all[n]]));
  return { notice: NOTICE, version: description.info.version, gaps, routes, components: { schemas } };
}

function main(): number {
  const { values } = parseArgs({
    options: {
      openapi: { type: "string" },
      check: { type: "boolean" },
      out: { type: "string" },
      set: { type: "string" },
    },
  });
  const app = values.set === "app";
  if (values.openapi === undefined) {
    console.error(
      "usage: tsx scripts/derive-openapi-fixture.ts --openapi openapi-1.69.0.yaml [--set app] [--check] [--out FILE]",
    );
    return 2;
  }
  const name = app ? "app-routes-1.69.0.json" : "routes-1.69.0.json";
  const out = values.out ?? join(__dirname, "..", "test", "fixtures", "fusionauth-openapi", name);
  const fixture = deriveFixture(
    parse(readFileSync(values.openapi, "utf8"), { maxAliasCount: -1 }),
    app ? APP_ROUTES : ROUTES,
  );
  const text = `${JSON.stringify(fixture, null, 2)}\n`;
  if (values.check) {
    const current = readFileSync(out, "utf8");
    if (current !== text) {
      console.error(`${out} is stale; run this script without --check`);
      return 1;
    }
    console.log(`${out} is up to date`);
    return 0;
  }
  writeFileSync(out, text);
  console.log(
    `wrote ${out}: ${fixture.routes.length} routes, ${Object.keys(fixture.components.schemas).length} schemas`,
  );
  return 0;
}

if (require.main === module) process.exitCode = main();
