// The authorization-code flow with PKCE as a native app drives it, over plain HTTP (fetch with manual
// redirects, the way a sign-in library's browser tab would), plus the password grant, userinfo, logout and the
// `access_token` cookie of /api/jwt/validate. Before these routes, /oauth2/authorize answered 404 and every
// grant but refresh_token was `unsupported_grant_type`.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";

// biome-ignore lint/suspicious/noExplicitAny: discovery documents are arbitrary JSON.
const json = async (r: Response): Promise<any> => r.json();

const KEY = "flow-key";
const PASSWORD = "correct horse battery";
const REDIRECT = "com.example.flow:/oauth2/callback";
let emu: RunningEmulator;
let tenantId: string;
let appId: string;
let pwAppId: string;
let pwSecret: string;
let userId: string;
const issuer = () => `http://localhost:${emu.port}/${tenantId}`;

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authParams(challenge: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: appId,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid offline_access",
    state: "st-1",
    nonce: "n-1",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...extra,
  };
}

/** Posts the login form; returns the redirect's query parameters. */
async function signIn(params: Record<string, string>, password = PASSWORD): Promise<URLSearchParams> {
  const res = await fetch(`${emu.url}/oauth2/authorize`, {
    ...form({ ...params, loginId: "flow@example.com", password }),
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location") as string);
  expect(`${location.protocol}${location.pathname}`).toBe(REDIRECT);
  return location.searchParams;
}

async function exchange(fields: Record<string, string>) {
  const res = await fetch(
    `${emu.url}/oauth2/token`,
    form({ grant_type: "authorization_code", client_id: appId, redirect_uri: REDIRECT, ...fields }),
  );
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY], now: new Date("2030-01-01T00:00:00Z") });
  const fa = new FusionAuthClient(KEY, emu.url);
  const keyId = randomUUID();
  await fa.generateKey(keyId, { key: { algorithm: "ES256" as never, name: "flow-es256" } });
  tenantId = randomUUID();
  await fa.createTenant(tenantId, {
    tenant: {
      name: "Flow",
      issuer: `http://localhost:${emu.port}/${tenantId}`,
      jwtConfiguration: {
        accessTokenKeyId: keyId,
        idTokenKeyId: keyId,
        timeToLiveInSeconds: 600,
        refreshTokenUsagePolicy: "OneTimeUse" as never,
        refreshTokenExpirationPolicy: "SlidingWindow" as never,
        refreshTokenTimeToLiveInMinutes: 60,
      },
    },
  });
  const scoped = new FusionAuthClient(KEY, emu.url, tenantId);
  appId = randomUUID();
  await scoped.createApplication(appId, {
    application: {
      name: "Flow App",
      roles: [{ name: "inspector" }] as never,
      oauthConfiguration: {
        authorizedRedirectURLs: [REDIRECT],
        enabledGrants: ["authorization_code", "refresh_token"] as never,
        clientAuthenticationPolicy: "NotRequiredWhenUsingPKCE" as never,
        proofKeyForCodeExchangePolicy: "Required" as never,
        generateRefreshTokens: true,
      },
    },
  });
  pwAppId = randomUUID();
  const pw = await scoped.createApplication(pwAppId, {
    application: { name: "Password App", oauthConfiguration: { enabledGrants: ["password"] as never } },
  });
  pwSecret = pw.response.application?.oauthConfiguration?.clientSecret as string;
  userId = randomUUID();
  await scoped.register(userId, {
    user: { email: "flow@example.com", password: PASSWORD, firstName: "Flo" },
    registration: { applicationId: appId, roles: ["inspector"] },
  });
});
afterAll(async () => emu?.close());

describe("the authorization-code flow with PKCE", () => {
  it("discovery answers under the tenant id, in both of FusionAuth's forms, with the tenant's issuer", async () => {
    const res = await fetch(`${emu.url}/${tenantId}/.well-known/openid-configuration`);
    // The Date header tells the emulator clock's time (frozen at 2030-01-01 here), not the host's.
    expect(res.headers.get("date")).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
    const a = await json(res);
    const b = await json(await fetch(`${emu.url}/.well-known/openid-configuration?tenantId=${tenantId}`));
    expect(a).toEqual(b);
    expect(a.issuer).toBe(issuer());
    expect(a.grant_types_supported).toEqual(["authorization_code", "password", "refresh_token"]);
    expect(a.response_types_supported).toEqual(["code"]);
    expect(a.code_challenge_methods_supported).toEqual(["S256"]);
    expect(a).not.toHaveProperty("device_authorization_endpoint");
  });

  it("every URL of the discovery document answers (none is a 404 or 405)", async () => {
    const doc = await json(await fetch(`${emu.url}/${tenantId}/.well-known/openid-configuration`));
    const urls = Object.entries(doc).filter(([k]) => k.endsWith("_endpoint") || k === "jwks_uri") as [string, string][];
    expect(urls.map(([k]) => k).sort()).toEqual([
      "authorization_endpoint",
      "end_session_endpoint",
      "jwks_uri",
      "token_endpoint",
      "userinfo_endpoint",
    ]);
    for (const [, url] of urls) {
      const local = url.replace(`http://localhost:${emu.port}`, emu.url);
      // The token endpoint takes POST only (as in FusionAuth); the others answer GET.
      const res = url.endsWith("/oauth2/token")
        ? await fetch(local, form({}))
        : await fetch(local, { redirect: "manual" });
      expect([200, 400, 401], url).toContain(res.status);
    }
  });

  it("shows the login form for a valid request; refuses an unauthorized redirect URI in place", async () => {
    const { challenge } = pkce();
    const page = await fetch(`${emu.url}/oauth2/authorize?${new URLSearchParams(authParams(challenge))}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('name="password"');
    expect(html).toContain(`value="${challenge}"`);
    const evil = await fetch(
      `${emu.url}/oauth2/authorize?${new URLSearchParams(authParams(challenge, { redirect_uri: "https://evil.example/cb" }))}`,
      { redirect: "manual" },
    );
    expect(evil.status).toBe(400);
    expect(evil.headers.get("location")).toBeNull();
  });

  it("sends errors it can trust to the redirect URI: PKCE required, response type", async () => {
    const { code_challenge: _c, code_challenge_method: _m, ...noPkce } = authParams("x");
    const res = await fetch(`${emu.url}/oauth2/authorize?${new URLSearchParams(noPkce)}`, { redirect: "manual" });
    const q = new URL(res.headers.get("location") as string).searchParams;
    expect([q.get("error"), q.get("error_reason"), q.get("state")]).toEqual([
      "invalid_request",
      "missing_code_challenge",
      "st-1",
    ]);
    const token = await fetch(
      `${emu.url}/oauth2/authorize?${new URLSearchParams(authParams("x", { response_type: "token" }))}`,
      { redirect: "manual" },
    );
    expect(new URL(token.headers.get("location") as string).searchParams.get("error")).toBe(
      "unsupported_response_type",
    );
  });

  it("a wrong password shows the form again with an error, and no code", async () => {
    const res = await fetch(`${emu.url}/oauth2/authorize`, {
      ...form({ ...authParams(pkce().challenge), loginId: "flow@example.com", password: "wrong password" }),
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Invalid login credentials.");
  });

  it("exchanges the code once, with the verifier and the same redirect URI, for tokens the JWKS verifies", async () => {
    const { verifier, challenge } = pkce();
    const q = await signIn(authParams(challenge));
    expect(q.get("state")).toBe("st-1");
    expect(q.get("userState")).toBe("Authenticated");
    const code = q.get("code") as string;
    const ok = await exchange({ code, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 600, scope: "openid offline_access", userId });
    expect(typeof ok.body.refresh_token).toBe("string");
    const jwks = createLocalJWKSet(await json(await fetch(`${emu.url}/.well-known/jwks.json`)));
    const id = await jwtVerify(ok.body.id_token as string, jwks, {
      issuer: issuer(),
      audience: appId,
      currentDate: new Date("2030-01-01T00:00:00Z"),
    });
    expect(id.payload).toMatchObject({ sub: userId, nonce: "n-1", email: "flow@example.com", roles: ["inspector"] });
    const at = await jwtVerify(ok.body.access_token as string, jwks, {
      issuer: issuer(),
      currentDate: new Date("2030-01-01T00:00:00Z"),
    });
    expect(at.payload).toMatchObject({ sub: userId, applicationId: appId, scope: "openid offline_access" });
    expect(id.payload.at_hash).toBe(
      createHash("sha256")
        .update(ok.body.access_token as string)
        .digest()
        .subarray(0, 16)
        .toString("base64url"),
    );
    const again = await exchange({ code, code_verifier: verifier });
    expect([again.status, again.body.error, again.body.error_reason]).toEqual([
      400,
      "invalid_grant",
      "auth_code_not_found",
    ]);
  });

  it("refuses a wrong verifier, a missing verifier and another redirect URI", async () => {
    const wrong = pkce();
    const q1 = await signIn(authParams(wrong.challenge));
    const bad = await exchange({ code: q1.get("code") as string, code_verifier: pkce().verifier });
    expect([bad.status, bad.body.error, bad.body.error_reason]).toEqual([
      400,
      "invalid_request",
      "invalid_pkce_code_verifier",
    ]);
    const q2 = await signIn(authParams(wrong.challenge));
    // No verifier: the client is no longer exempt from authentication under NotRequiredWhenUsingPKCE.
    const none = await exchange({ code: q2.get("code") as string });
    expect([none.status, none.body.error]).toEqual([401, "invalid_client"]);
    const q3 = await signIn(authParams(wrong.challenge));
    const other = await exchange({
      code: q3.get("code") as string,
      code_verifier: wrong.verifier,
      redirect_uri: "com.example.other:/cb",
    });
    expect([other.status, other.body.error_reason]).toEqual([400, "invalid_redirect_uri"]);
  });

  it("a code expires after the tenant's authorization grant lifetime (30 s by default)", async () => {
    const { verifier, challenge } = pkce();
    const q = await signIn(authParams(challenge));
    emu.clock.set(emu.clock.now() + 31_000, true);
    const late = await exchange({ code: q.get("code") as string, code_verifier: verifier });
    expect([late.status, late.body.error]).toEqual([400, "invalid_grant"]);
  });

  it("refreshes with one-time-use rotation; the used value then fails as invalid_grant", async () => {
    const { verifier, challenge } = pkce();
    const q = await signIn(authParams(challenge));
    const first = await exchange({ code: q.get("code") as string, code_verifier: verifier });
    const refresh = (token: string) =>
      fetch(
        `${emu.url}/oauth2/token`,
        form({ grant_type: "refresh_token", client_id: appId, refresh_token: token }),
      ).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    const second = await refresh(first.body.refresh_token as string);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(typeof second.body.id_token).toBe("string");
    const reused = await refresh(first.body.refresh_token as string);
    expect([reused.status, reused.body.error, reused.body.error_reason]).toEqual([
      400,
      "invalid_grant",
      "refresh_token_reused",
    ]);
  });

  it("userinfo answers the access token's user; logout redirects only to an authorized URL", async () => {
    const { verifier, challenge } = pkce();
    const q = await signIn(authParams(challenge));
    const t = await exchange({ code: q.get("code") as string, code_verifier: verifier });
    const info = await fetch(`${emu.url}/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${t.body.access_token}` },
    });
    expect(await info.json()).toMatchObject({ sub: userId, email: "flow@example.com", given_name: "Flo" });
    const anon = await fetch(`${emu.url}/oauth2/userinfo`);
    expect(anon.status).toBe(401);
    const out = await fetch(
      `${emu.url}/oauth2/logout?${new URLSearchParams({ client_id: appId, post_logout_redirect_uri: REDIRECT, state: "s" })}`,
      { redirect: "manual" },
    );
    expect([out.status, out.headers.get("location")]).toEqual([302, `${REDIRECT}?state=s`]);
    const elsewhere = await fetch(
      `${emu.url}/oauth2/logout?${new URLSearchParams({ client_id: appId, post_logout_redirect_uri: "https://evil.example" })}`,
      { redirect: "manual" },
    );
    expect(elsewhere.status).toBe(200);
  });

  it("/api/jwt/validate reads the access_token cookie as FusionAuth does", async () => {
    const { verifier, challenge } = pkce();
    const q = await signIn(authParams(challenge));
    const t = await exchange({ code: q.get("code") as string, code_verifier: verifier });
    const res = await fetch(`${emu.url}/api/jwt/validate`, {
      headers: { Cookie: `other=1; access_token=${t.body.access_token}` },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).jwt.sub).toBe(userId);
    expect((await fetch(`${emu.url}/api/jwt/validate`, { headers: { Cookie: "access_token=nope" } })).status).toBe(401);
  });
});

describe("the password grant", () => {
  const grant = (fields: Record<string, string>) =>
    fetch(
      `${emu.url}/oauth2/token`,
      form({ grant_type: "password", username: "flow@example.com", password: PASSWORD, ...fields }),
    ).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));

  it("answers tokens where the application enables it, with its client secret", async () => {
    const ok = await grant({ client_id: pwAppId, client_secret: pwSecret, scope: "openid" });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.id_token).toBe("string");
    expect(ok.body.refresh_token).toBeUndefined();
  });

  it("is unauthorized_client where the application does not enable it, invalid_grant for a wrong password", async () => {
    const off = await grant({ client_id: appId });
    expect([off.status, off.body.error]).toEqual([400, "unauthorized_client"]);
    const wrong = await grant({ client_id: pwAppId, client_secret: pwSecret, password: "nope nope" });
    expect([wrong.status, wrong.body.error, wrong.body.error_reason]).toEqual([
      400,
      "invalid_grant",
      "invalid_user_credentials",
    ]);
  });
});
