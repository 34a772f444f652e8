// The FusionAuth contract, refereed by FusionAuth's own OpenAPI description (1.69.0), not by the emulator that
// was written from the same reading of the docs as the kit: every request body the kit's providers and port send,
// and every 2xx answer the emulator gives on those routes, is validated with ajv against the schemas derived into
// test/fixtures/fusionauth-openapi/routes-1.69.0.json (scripts/derive-openapi-fixture.ts; attribution inside).
// Unknown fields in a request body fail: the test closes every object schema (additionalProperties: false), so a
// misspelled field the kit sends, which a real FusionAuth would silently ignore, is caught here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FusionAuthClient, type KeySearchRequest } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { createFusionAuthPort } from "../../src/fusionauth/client-port";
import { applicationShape, asJson, tenantShape } from "../../src/fusionauth/objects";
import { applicationProvider } from "../../src/pulumi/kinds/application";
import { signingKeyProvider } from "../../src/pulumi/kinds/signing-key";
import { tenantProvider } from "../../src/pulumi/kinds/tenant";
import { compileValidators } from "../helpers/openapi-validators";
import { compileStackText } from "../helpers/policies";
import { type Exchange, type RecordingProxy, startRecordingProxy } from "./recording-proxy";

interface Fixture {
  notice: string;
  version: string;
  routes: { method: string; path: string; request: string | null; response: string | null }[];
  components: { schemas: Record<string, unknown> };
}
const FIXTURE = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "fusionauth-openapi", "routes-1.69.0.json"), "utf8"),
) as Fixture;

/**
 * Routes of the fixture not exercised yet, each with why. DELETE /api/jwt/refresh is the revoke command's route
 * (being added beside this test); the emulator answers it once that lands, and the exchange is then checked.
 */
/** Routes of the fixture the test cannot answer with a 2xx, each with why (none today). */
const PENDING = new Map<string, string>();

function routeOf(e: Exchange): Fixture["routes"][number] | undefined {
  return FIXTURE.routes.find(
    (r) => r.method === e.method && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(e.path),
  );
}

/** Every field path of a JSON value (`tenant.jwtConfiguration.timeToLiveInSeconds`, arrays as `[]`). */
function fieldPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => fieldPaths(v, `${prefix}[]`));
  if (typeof value !== "object" || value === null) return prefix === "" ? [] : [prefix];
  return Object.entries(value).flatMap(([k, v]) => [
    `${prefix}${prefix === "" ? "" : "."}${k}`,
    ...fieldPaths(v, `${prefix}${prefix === "" ? "" : "."}${k}`),
  ]);
}

const API_KEY = "contract-test-key";
let emulator: RunningEmulator;
let proxy: RecordingProxy;

// A stack with every kind of shape: a tenant with non-default revocation triggers and one-time-use refresh
// tokens, an application with its own JWT configuration and one without.
const STATE = compileStackText(`config:
  fusionauth-offline-kit:url: https://auth.example.com
  fusionauth-offline-kit:tenants:
    - key: contract
      name: Contract Tenant
      issuer: https://auth.example.com/contract
      preset: standard
      overrides:
        refreshToken:
          usage: OneTimeUse
          revokeOn: { passwordChange: false }
      waivers:
        - rule: refreshToken.revokeOn.passwordChange.required
          reason: A contract test fixture needs a trigger that differs from the others.
      applications:
        - key: plain
          name: Plain App
          redirectUris: [com.example.plain:/cb]
        - key: own
          name: Own JWT App
          redirectUris: [com.example.own:/cb, https://own.example.com/cb]
          preset: field
`);

function configured<T extends object>(provider: T): T {
  const copy = { ...provider } as T & { configure: (req: unknown) => Promise<void> };
  const values: Record<string, string> = {
    "fusionauth-offline-kit:url": proxy.url,
    "fusionauth-offline-kit:apiKey": API_KEY,
  };
  void copy.configure.call(copy, { config: { get: (k: string) => values[k], require: (k: string) => values[k] } });
  return copy;
}

/** Drives every call the kit makes, through the providers where the providers make it. */
async function driveTheKit(): Promise<void> {
  const port = createFusionAuthPort({ url: proxy.url, apiKey: API_KEY });
  const client = new FusionAuthClient(API_KEY, proxy.url);
  const keys = configured(signingKeyProvider);
  const tenant = STATE.tenants[0];
  if (tenant === undefined) throw new Error("no tenant");
  const keyIds = ["3c1d7e0a-5b1e-4b8e-9a77-000000000001", "3c1d7e0a-5b1e-4b8e-9a77-000000000002"];
  await keys.create?.({ keyId: keyIds[0] as string, name: "fakit:contract:g0", algorithm: "ES256", length: 256 });
  await keys.create?.({ keyId: keyIds[1] as string, name: "fakit:contract:g1", algorithm: "RS256", length: 2048 });
  await keys.update?.(keyIds[1] as string, {} as never, {
    keyId: keyIds[1] as string,
    name: "fakit:contract:g1:retired",
    algorithm: "RS256",
  });
  await port.retrieveKey(keyIds[0] as string);
  await port.retrieveKeys();
  const search: KeySearchRequest = { search: { name: "fakit:contract*" } };
  await client.searchKeys(search);

  const refs = { signingKeyId: keyIds[0] as string, verificationKeyIds: [keyIds[1] as string] };
  const tenants = configured(tenantProvider);
  const tenantInputs = {
    objectId: tenant.id,
    label: `tenant ${tenant.key}`,
    adopt: false,
    shape: asJson(tenantShape(tenant, refs)),
  };
  await tenants.create?.(tenantInputs);
  const renamed = { ...tenantInputs, shape: asJson(tenantShape({ ...tenant, name: "Contract Tenant 2" }, refs)) };
  await tenants.update?.(tenant.id, { ...tenantInputs, original: undefined } as never, renamed);

  const apps = configured(applicationProvider);
  for (const app of tenant.applications) {
    const inputs = {
      objectId: app.id,
      label: `application ${app.key}`,
      tenantId: tenant.id,
      adopt: false,
      shape: asJson(applicationShape(app, refs)),
    };
    await apps.create?.(inputs);
    const changed = {
      ...inputs,
      shape: asJson(applicationShape({ ...app, redirectUris: ["com.example.x:/cb"] }, refs)),
    };
    await apps.update?.(app.id, inputs as never, changed);
  }
  await port.retrieveJwks();
  await fetch(`${proxy.url}/.well-known/openid-configuration`);
  // `fakit revoke`: a user the test creates (the user API itself is not the kit's, so it is not recorded as the
  // kit's request: the emulator is called directly), then the kit's own revoke calls through the proxy.
  const userId = "3c1d7e0a-5b1e-4b8e-9a77-0000000000ff";
  await new FusionAuthClient(API_KEY, emulator.url, tenant.id).createUser(userId, {
    user: { email: "contract@example.com", password: "contract-password-1" },
  });
  await port.revokeRefreshTokens({ userId });
  await port.revokeRefreshTokens({ userId, applicationId: tenant.applications[0]?.id as string });

  for (const app of tenant.applications)
    await apps.delete?.(app.id, { objectId: app.id, label: app.key, adopt: false, shape: {} } as never);
  await tenants.delete?.(tenant.id, { objectId: tenant.id, label: tenant.key, adopt: false, shape: {} } as never);
  for (const id of keyIds) await keys.delete?.(id, { keyId: id, name: "k", algorithm: "ES256" } as never);
}

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [API_KEY] });
  proxy = await startRecordingProxy(emulator.url);
  await driveTheKit();
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

describe(`the kit against FusionAuth's OpenAPI description ${FIXTURE.version}`, () => {
  const validator = compileValidators(FIXTURE.components.schemas);

  it("every route the kit used is one the description has", () => {
    const unknown = proxy.exchanges.filter((e) => routeOf(e) === undefined).map((e) => `${e.method} ${e.path}`);
    expect(unknown).toEqual([]);
  });

  it("every route of the fixture was exercised with a 2xx answer (or is pending with a reason)", () => {
    const answered = new Set(
      proxy.exchanges
        .filter((e) => e.status >= 200 && e.status < 300)
        .map((e) => {
          const r = routeOf(e);
          return `${r?.method} ${r?.path}`;
        }),
    );
    const missing = FIXTURE.routes
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !answered.has(r) && !PENDING.has(r));
    expect(missing).toEqual([]);
  });

  it("every request body the kit sent is valid, with no field FusionAuth does not know", () => {
    const problems: string[] = [];
    for (const e of proxy.exchanges) {
      const route = routeOf(e);
      if (route === undefined || e.requestBody === undefined) continue;
      if (route.request === null) {
        problems.push(`${e.method} ${e.path}: sent a body, the description takes none`);
        continue;
      }
      const validate = validator(route.request);
      if (!validate(e.requestBody))
        problems.push(`${e.method} ${e.path}: ${JSON.stringify(validate.errors?.slice(0, 5))}`);
    }
    expect(problems).toEqual([]);
  });

  it("every 2xx answer of the emulator on those routes is valid against the description", () => {
    const problems: string[] = [];
    for (const e of proxy.exchanges) {
      const route = routeOf(e);
      if (route === undefined || e.status < 200 || e.status > 299 || route.response === null) continue;
      const validate = validator(route.response);
      if (!validate(e.responseBody))
        problems.push(`${e.method} ${e.path} ${e.status}: ${JSON.stringify(validate.errors?.slice(0, 5))}`);
    }
    expect(problems).toEqual([]);
  });

  it("catches a misspelled field: the closed schemas refuse what FusionAuth would ignore", () => {
    const validate = validator("#/components/schemas/TenantRequest");
    const body = {
      tenant: { name: "x", jwtConfiguration: { refreshTokenRevocationPolicy: { onPasswordChange: true } } },
    };
    expect(validate(body)).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      keyword: "additionalProperties",
      instancePath: "/tenant/jwtConfiguration/refreshTokenRevocationPolicy",
      params: { additionalProperty: "onPasswordChange" },
    });
  });

  it("reports its coverage: routes, schemas, fields", () => {
    const sent = new Set(proxy.exchanges.flatMap((e) => fieldPaths(e.requestBody)));
    const answered = new Set(proxy.exchanges.filter((e) => e.status < 300).flatMap((e) => fieldPaths(e.responseBody)));
    const routes = new Set(
      proxy.exchanges.filter((e) => e.status < 300).map((e) => `${routeOf(e)?.method} ${routeOf(e)?.path}`),
    );
    const coverage = {
      routes: `${routes.size} of ${FIXTURE.routes.length} answered 2xx (pending: ${[...PENDING.keys()].join(", ")})`,
      exchanges: proxy.exchanges.length,
      schemas: Object.keys(FIXTURE.components.schemas).length,
      requestFields: sent.size,
      responseFields: answered.size,
    };
    console.info(`OpenAPI contract coverage: ${JSON.stringify(coverage)}`);
    expect(sent.size).toBeGreaterThan(40);
  });
});
