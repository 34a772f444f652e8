// The routes apps and test suites call (issue #26) against FusionAuth's own OpenAPI description 1.69.0: each
// is exercised over HTTP through a recording proxy, and every JSON request body and 2xx answer is validated with
// ajv against the schemas derived into test/fixtures/fusionauth-openapi/app-routes-1.69.0.json
// (scripts/derive-openapi-fixture.ts --set app), object schemas closed: a field FusionAuth's model lacks fails.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { type Exchange, type RecordingProxy, startRecordingProxy } from "../fusionauth/recording-proxy";
import { compileValidators } from "../helpers/openapi-validators";

interface Fixture {
  routes: { method: string; path: string; request: string | null; response: string | null }[];
  components: { schemas: Record<string, unknown> };
}
const FIXTURE = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "fusionauth-openapi", "app-routes-1.69.0.json"), "utf8"),
) as Fixture;

const KEY = "app-routes-key";
const REDIRECT = "com.example.contract:/cb";
let emulator: RunningEmulator;
let proxy: RecordingProxy;

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** Everything an app or FusionAuth's client test suite calls on the new routes. */
async function drive(): Promise<void> {
  const keyId = randomUUID();
  const admin = new FusionAuthClient(KEY, emulator.url);
  await admin.generateKey(keyId, { key: { algorithm: "ES256" as never, name: "app-routes" } });
  const tenantId = randomUUID();
  await admin.createTenant(tenantId, {
    tenant: {
      name: "App Routes",
      issuer: `${emulator.url}/${tenantId}`,
      jwtConfiguration: {
        accessTokenKeyId: keyId,
        idTokenKeyId: keyId,
        refreshTokenUsagePolicy: "OneTimeUse" as never,
      },
    },
  });
  const scoped = new FusionAuthClient(KEY, emulator.url, tenantId);
  const appId = randomUUID();
  const app = await scoped.createApplication(appId, {
    application: {
      name: "App Routes App",
      oauthConfiguration: {
        authorizedRedirectURLs: [REDIRECT],
        enabledGrants: ["authorization_code", "password", "refresh_token"] as never,
        clientAuthenticationPolicy: "NotRequiredWhenUsingPKCE" as never,
      },
    },
  });
  const secret = app.response.application?.oauthConfiguration?.clientSecret as string;
  const userId = randomUUID();
  await scoped.register(userId, {
    user: { email: "contract-app@example.com", username: "contract-app", password: "contract-password-1" },
    registration: { applicationId: appId },
  });

  // Through the proxy: what is recorded and checked.
  const client = new FusionAuthClient(KEY, proxy.url, tenantId);
  await client.retrieveUserByEmail("contract-app@example.com");
  await client.retrieveUserByLoginIdWithLoginIdTypes("contract-app", ["username"]);
  await client.searchUsersByIds([userId]);
  await client.searchUsersByQuery({ search: { ids: [userId], numberOfResults: 10, startRow: 0 } });
  const password = await client.exchangeUserCredentialsForAccessToken(
    "contract-app@example.com",
    "contract-password-1",
    appId,
    secret,
    "openid offline_access",
    null as never,
  );
  // The authorization-code flow (the form post goes to the emulator directly: it is HTML, not the API).
  const verifier = randomBytes(32).toString("base64url");
  const signIn = await fetch(`${emulator.url}/oauth2/authorize`, {
    ...form({
      client_id: appId,
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: "openid offline_access",
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
      loginId: "contract-app@example.com",
      password: "contract-password-1",
    }),
    redirect: "manual",
  });
  const code = new URL(signIn.headers.get("location") as string).searchParams.get("code") as string;
  const tokens = (await (
    await fetch(
      `${proxy.url}/oauth2/token`,
      form({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: appId,
        redirect_uri: REDIRECT,
      }),
    )
  ).json()) as Record<string, string>;
  await fetch(
    `${proxy.url}/oauth2/token`,
    form({ grant_type: "refresh_token", refresh_token: tokens.refresh_token as string, client_id: appId }),
  );
  await fetch(`${proxy.url}/oauth2/userinfo`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  await client.validateJWT(password.response.access_token as string);
  await fetch(`${proxy.url}/api/jwt/validate`, { headers: { Cookie: `access_token=${tokens.access_token}` } });
}

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [KEY] });
  proxy = await startRecordingProxy(emulator.url);
  await drive();
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

function routeOf(e: Exchange): Fixture["routes"][number] | undefined {
  return FIXTURE.routes.find(
    (r) => r.method === e.method && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(e.path),
  );
}

describe("the app-facing routes against FusionAuth's OpenAPI description 1.69.0", () => {
  // The userinfo claims are modelled as an object without properties (any claim): that one stays open.
  const validator = compileValidators(FIXTURE.components.schemas, true);

  it("every route of the fixture was exercised and answered 2xx", () => {
    const answered = new Set(
      proxy.exchanges
        .filter((e) => e.status >= 200 && e.status < 300)
        .map((e) => `${routeOf(e)?.method} ${routeOf(e)?.path}`),
    );
    expect(FIXTURE.routes.map((r) => `${r.method} ${r.path}`).filter((r) => !answered.has(r))).toEqual([]);
  });

  it("every JSON request body and every 2xx answer is valid, with no field FusionAuth does not know", () => {
    const problems: string[] = [];
    for (const e of proxy.exchanges) {
      const route = routeOf(e);
      if (route === undefined) {
        problems.push(`${e.method} ${e.path}: not in the fixture`);
        continue;
      }
      if (route.request !== null && e.requestBody !== undefined) {
        const v = validator(route.request);
        if (!v(e.requestBody)) problems.push(`${e.method} ${e.path} request: ${JSON.stringify(v.errors?.slice(0, 5))}`);
      }
      if (e.status >= 200 && e.status < 300 && route.response !== null) {
        const v = validator(route.response);
        if (!v(e.responseBody))
          problems.push(`${e.method} ${e.path} ${e.status}: ${JSON.stringify(v.errors?.slice(0, 5))}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
