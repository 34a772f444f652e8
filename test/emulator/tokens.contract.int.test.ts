import { randomUUID } from "node:crypto";
import type { FusionAuthClient } from "@fusionauth/typescript-client";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, example, REAL, rejected, startTarget, type Target, unique } from "./support/target";

// biome-ignore lint/suspicious/noExplicitAny: the client types ids as required strings; null lets the server pick.
const NO_ID = null as any;
const PASSWORD = "correct horse battery";

interface Setup {
  tenantId: string;
  appId: string;
  keyId: string;
  scoped: FusionAuthClient;
}

/** A tenant signing with a fresh key, one native app with refresh tokens, and its own JWT settings. */
async function setup(t: Target, jwt: Record<string, unknown>, algorithm = "ES256"): Promise<Setup> {
  const fa = t.client;
  const keyId = randomUUID();
  await fa.generateKey(keyId, {
    key: {
      algorithm: algorithm as never,
      name: unique(algorithm),
      length: algorithm.startsWith("RS") ? 2048 : undefined,
    },
  });
  const tenantId = randomUUID();
  await fa.createTenant(tenantId, {
    tenant: {
      name: unique("tokens"),
      issuer: "https://tokens.test",
      jwtConfiguration: { accessTokenKeyId: keyId, idTokenKeyId: keyId, timeToLiveInSeconds: 300, ...jwt },
    },
  });
  const scoped = clientFor(t, { tenantId });
  const appId = randomUUID();
  await scoped.createApplication(appId, {
    application: {
      name: unique("mobile"),
      loginConfiguration: { allowTokenRefresh: true, generateRefreshTokens: true },
      oauthConfiguration: {
        enabledGrants: ["authorization_code", "refresh_token"] as never,
        clientAuthenticationPolicy: "NotRequired" as never,
        proofKeyForCodeExchangePolicy: "Required" as never,
      },
    },
  });
  return { tenantId, appId, keyId, scoped };
}

async function teardown(t: Target, s: Setup) {
  await t.client.deleteTenant(s.tenantId);
  await t.client.deleteKey(s.keyId);
}

async function newUser(s: Setup) {
  const email = `${unique("user")}@example.com`;
  const res = await s.scoped.register(NO_ID, {
    user: { email, password: PASSWORD },
    registration: { applicationId: s.appId },
  });
  return { email, userId: res.response.user?.id as string };
}

async function login(s: Setup, email: string) {
  const res = await s.scoped.login({ loginId: email, password: PASSWORD, applicationId: s.appId });
  return res.response;
}

describe("login, JWT and refresh-token contract", () => {
  let t: Target;
  beforeAll(async () => {
    t = await startTarget();
  });
  afterAll(() => t.close());

  it.each(["ES256", "RS256"])("issues %s access tokens that verify with jose against the JWKS", async (alg) => {
    const s = await setup(t, {}, alg);
    const { email, userId } = await newUser(s);
    const res = await s.scoped.login({ loginId: email, password: PASSWORD, applicationId: s.appId });
    expect(res.statusCode).toBe(200);
    const token = res.response.token as string;
    const jwks = (await t.client.retrieveJsonWebKeySet()).response;
    expect(jwks.keys?.every((k) => String(k.kty) !== "oct" && (k as Record<string, unknown>).d === undefined)).toBe(
      true,
    );
    const key = (await t.client.retrieveKey(s.keyId)).response.key;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg, kid: key?.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), {
      issuer: "https://tokens.test",
      audience: s.appId,
      currentDate: new Date((res.response.tokenExpirationInstant as number) - 1000),
    });
    expect(payload).toMatchObject({
      sub: userId,
      applicationId: s.appId,
      tid: s.tenantId,
      authenticationType: "PASSWORD",
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    expect((await s.scoped.validateJWT(token)).response.jwt?.sub).toBe(userId);
    await teardown(t, s);
  });

  it("returns a refresh token only for registered users of apps that generate them; 404 for bad credentials", async () => {
    const s = await setup(t, {});
    const { email } = await newUser(s);
    const ok = await login(s, email);
    expect(ok.refreshToken).toBeTruthy();
    expect(ok.refreshTokenId).toBeTruthy();
    const other = (
      await s.scoped.createApplication(NO_ID, {
        application: { name: unique("other"), loginConfiguration: { generateRefreshTokens: true } },
      })
    ).response.application;
    const unregistered = await s.scoped.login({ loginId: email, password: PASSWORD, applicationId: other?.id });
    expect(unregistered.statusCode).toBe(202);
    expect(unregistered.response.refreshToken).toBeUndefined();
    const wrong = await rejected(s.scoped.login({ loginId: email, password: "not the password" }), 404);
    expect(wrong).toBeUndefined();
    await rejected(
      clientFor(t, { apiKey: "nope", tenantId: s.tenantId }).login({
        loginId: email,
        password: PASSWORD,
        applicationId: s.appId,
      }),
      401,
    );
    await teardown(t, s);
  });

  it("keeps a reusable refresh token across refreshes", async () => {
    const s = await setup(t, {});
    const { email } = await newUser(s);
    const first = await login(s, email);
    const body = example("jwt-refresh-request.json");
    body.refreshToken = first.refreshToken;
    const refreshed = (await s.scoped.exchangeRefreshTokenForJWT(body)).response;
    expect(refreshed.refreshToken).toBe(first.refreshToken);
    expect(Object.keys(refreshed).sort()).toEqual(Object.keys(example("jwt-refresh-response.json")).sort());
    expect((await s.scoped.validateJWT(refreshed.token as string)).response.jwt?.authenticationType).toBe(
      "REFRESH_TOKEN",
    );
    await teardown(t, s);
  });

  it("rotates a one-time-use refresh token and refuses the reused one", async () => {
    const s = await setup(t, { refreshTokenUsagePolicy: "OneTimeUse" });
    const { email } = await newUser(s);
    const first = await login(s, email);
    const second = (await s.scoped.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken })).response;
    expect(second.refreshToken).toBeTruthy();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.refreshTokenId).toBe(first.refreshTokenId);
    const err = await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken }), 400);
    expect(err.fieldErrors ?? err.generalErrors).toBeDefined();
    // Without onOneTimeTokenReuse the session survives the reuse attempt.
    const third = (await s.scoped.exchangeRefreshTokenForJWT({ refreshToken: second.refreshToken })).response;
    expect(third.refreshToken).not.toBe(second.refreshToken);
    await teardown(t, s);
  });

  it("revokes the session on one-time token reuse when onOneTimeTokenReuse is set", async () => {
    const s = await setup(t, {
      refreshTokenUsagePolicy: "OneTimeUse",
      refreshTokenRevocationPolicy: { onOneTimeTokenReuse: true },
    });
    const { email } = await newUser(s);
    const first = await login(s, email);
    const second = (await s.scoped.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken })).response;
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken }), 400);
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: second.refreshToken }), 400);
    await teardown(t, s);
  });

  it("revokes refresh tokens on password change (onPasswordChanged, default true)", async () => {
    const s = await setup(t, {});
    const { email } = await newUser(s);
    const session = await login(s, email);
    await s.scoped.changePasswordByIdentity({ loginId: email, password: "a brand new password" });
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken }), 400);
    await teardown(t, s);
  });

  it("lists, retrieves and revokes refresh tokens", async () => {
    const s = await setup(t, {});
    const { email, userId } = await newUser(s);
    const a = await login(s, email);
    const b = await login(s, email);
    const list = (await s.scoped.retrieveRefreshTokens(userId)).response.refreshTokens ?? [];
    expect(list.map((x) => x.id)).toEqual(expect.arrayContaining([a.refreshTokenId, b.refreshTokenId]));
    expect((await s.scoped.retrieveRefreshTokenById(a.refreshTokenId as string)).response.refreshToken?.userId).toBe(
      userId,
    );
    await s.scoped.revokeRefreshTokenById(a.refreshTokenId as string);
    await rejected(s.scoped.retrieveRefreshTokenById(a.refreshTokenId as string), 404);
    await s.scoped.revokeRefreshTokenByToken(b.refreshToken as string);
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: b.refreshToken }), 400);
    const c = await login(s, email);
    await s.scoped.revokeRefreshTokensByUserIdForApplication(userId, s.appId);
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: c.refreshToken }), 400);
    await teardown(t, s);
  });

  it("refreshes through the OAuth refresh_token grant, rotating one-time-use tokens", async () => {
    const s = await setup(t, { refreshTokenUsagePolicy: "OneTimeUse" });
    const { email, userId } = await newUser(s);
    const session = await login(s, email);
    const res = (
      await s.scoped.exchangeRefreshTokenForAccessToken(
        session.refreshToken as string,
        s.appId,
        undefined as never,
        undefined as never,
        undefined as never,
      )
    ).response;
    expect(res).toMatchObject({ token_type: "Bearer", userId, expires_in: 300 });
    expect(res.refresh_token).toBeTruthy();
    expect(res.refresh_token).not.toBe(session.refreshToken);
    const err = await rejected(
      s.scoped.exchangeRefreshTokenForAccessToken(
        session.refreshToken as string,
        s.appId,
        undefined as never,
        undefined as never,
        undefined as never,
      ),
      400,
    );
    expect(err.error).toBe("invalid_grant");
    const missing = await rejected(
      s.scoped.exchangeRefreshTokenForAccessToken(
        "",
        s.appId,
        undefined as never,
        undefined as never,
        undefined as never,
      ),
      400,
    );
    expect(missing.error_reason).toBe("missing_refresh_token");
    await teardown(t, s);
  });

  it("serves OpenID discovery with the tenant's issuer and the global JWKS", async () => {
    const s = await setup(t, {});
    const conf = (await s.scoped.retrieveOpenIdConfiguration()).response;
    expect(conf.issuer).toBe("https://tokens.test");
    expect(conf.jwks_uri).toMatch(/\/\.well-known\/jwks\.json$/);
    // The emulator lists only what it serves: no device flow, no signed userinfo (docs/emulator.md).
    const notServed = REAL ? [] : ["device_authorization_endpoint", "userinfo_signing_alg_values_supported"];
    for (const field of Object.keys(example("openid-configuration-response.json")))
      if (!notServed.includes(field)) expect(conf).toHaveProperty(field);
    for (const field of notServed) expect(conf).not.toHaveProperty(field);
    await teardown(t, s);
  });

  it("refuses bad and missing tokens at validate and refresh", async () => {
    await rejected(t.client.validateJWT("not.a.jwt"), 401);
    const noToken = await rejected(t.client.exchangeRefreshTokenForJWT({}), 400);
    expect(noToken.fieldErrors.refreshToken).toBeDefined();
    await rejected(t.client.exchangeRefreshTokenForJWT({ refreshToken: "unknown" }), 400);
  });
});

describe.skipIf(REAL)("token lifetimes on the emulator clock", () => {
  let t: Target;
  const start = new Date("2030-01-01T00:00:00Z");
  beforeAll(async () => {
    t = await startTarget({ now: start });
  });
  afterAll(() => t.close());
  const advanceMinutes = (m: number) => t.admin?.advanceClock(m * 60_000);

  it("expires access tokens at the configured TTL", async () => {
    const s = await setup(t, {});
    const { email } = await newUser(s);
    const { token } = await login(s, email);
    await advanceMinutes(4);
    await s.scoped.validateJWT(token as string);
    await advanceMinutes(1);
    await rejected(s.scoped.validateJWT(token as string), 401);
    await teardown(t, s);
  });

  it("Fixed: a refresh token dies at issue time + lifetime however often it is used", async () => {
    const s = await setup(t, { refreshTokenTimeToLiveInMinutes: 60 });
    const { email } = await newUser(s);
    const { refreshToken } = await login(s, email);
    await advanceMinutes(50);
    await s.scoped.exchangeRefreshTokenForJWT({ refreshToken });
    await advanceMinutes(10);
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken }), 400);
    await teardown(t, s);
  });

  it("SlidingWindowWithMaximumLifetime: use extends the window up to the maximum", async () => {
    const s = await setup(t, {
      refreshTokenTimeToLiveInMinutes: 60,
      refreshTokenExpirationPolicy: "SlidingWindowWithMaximumLifetime",
      refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: 150 },
    });
    const { email } = await newUser(s);
    const { refreshToken } = await login(s, email);
    for (let i = 0; i < 2; i++) {
      await advanceMinutes(55);
      await s.scoped.exchangeRefreshTokenForJWT({ refreshToken });
    }
    await advanceMinutes(40); // 150 minutes since login: the maximum lifetime is reached although idle < 60.
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken }), 400);
    await teardown(t, s);
  });

  it("SlidingWindow: an idle token expires one lifetime after its last use", async () => {
    const s = await setup(t, { refreshTokenTimeToLiveInMinutes: 60, refreshTokenExpirationPolicy: "SlidingWindow" });
    const { email } = await newUser(s);
    const { refreshToken } = await login(s, email);
    await advanceMinutes(50);
    await s.scoped.exchangeRefreshTokenForJWT({ refreshToken });
    await advanceMinutes(59);
    await s.scoped.exchangeRefreshTokenForJWT({ refreshToken });
    await advanceMinutes(61);
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken }), 400);
    await teardown(t, s);
  });

  it("one-time use grace period: a rotated value still works within the grace, unrotated", async () => {
    const s = await setup(t, {
      refreshTokenUsagePolicy: "OneTimeUse",
      refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: 30 },
    });
    const { email } = await newUser(s);
    const first = await login(s, email);
    const second = (await s.scoped.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken })).response;
    await t.admin?.advanceClock(20_000);
    const retry = (await s.scoped.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken })).response;
    expect(retry.refreshToken).toBe(second.refreshToken);
    await t.admin?.advanceClock(11_000);
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken }), 400);
    await teardown(t, s);
  });

  it("revocation triggers: deactivation (login prevented) and first MFA method", async () => {
    const s = await setup(t, { refreshTokenRevocationPolicy: { onMultiFactorEnable: true } });
    const a = await newUser(s);
    const sessionA = await login(s, a.email);
    await s.scoped.patchUser(a.userId, {
      user: { twoFactor: { methods: [{ method: "authenticator", id: "m1" }] } } as never,
    });
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: sessionA.refreshToken }), 400);
    const b = await newUser(s);
    const sessionB = await login(s, b.email);
    await s.scoped.patchUser(b.userId, { user: { active: false } });
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: sessionB.refreshToken }), 400);
    await rejected(s.scoped.login({ loginId: b.email, password: PASSWORD, applicationId: s.appId }), 423);
    const c = await newUser(s);
    const sessionC = await login(s, c.email);
    await s.scoped.patchUser(c.userId, { user: { password: "changed via patch" } });
    await rejected(s.scoped.exchangeRefreshTokenForJWT({ refreshToken: sessionC.refreshToken }), 400);
    await teardown(t, s);
  });

  it("signs with the application's own key when its jwtConfiguration is enabled", async () => {
    const s = await setup(t, {});
    const appKey = randomUUID();
    await t.client.generateKey(appKey, { key: { algorithm: "Ed25519" as never, name: unique("app-key") } });
    await s.scoped.patchApplication(s.appId, {
      application: {
        jwtConfiguration: {
          enabled: true,
          accessTokenKeyId: appKey,
          timeToLiveInSeconds: 90,
          refreshTokenTimeToLiveInMinutes: 60,
        },
      },
    });
    const { email } = await newUser(s);
    const { token } = await login(s, email);
    const kid = (await t.client.retrieveKey(appKey)).response.key?.kid;
    expect(decodeProtectedHeader(token as string)).toMatchObject({ alg: "Ed25519", kid });
    const jwt = (await s.scoped.validateJWT(token as string)).response.jwt as Record<string, number>;
    expect(jwt.exp - jwt.iat).toBe(90);
    await t.client.deleteTenant(s.tenantId);
    await t.client.deleteKey(appKey);
    await t.client.deleteKey(s.keyId);
  });
});
