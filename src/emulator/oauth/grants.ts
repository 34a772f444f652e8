/**
 * The token endpoint's grants: `authorization_code` (with PKCE), `password` and `refresh_token`.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#token
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestContext } from "../context";
import type { Json } from "../state";
import { createRefreshToken, effectiveJwtConfig, findRefreshToken, useRefreshToken } from "../tokens";
import { checkPassword, findByLoginId } from "../user-model";
import { redeemCode } from "./codes";
import { authenticateClient, clientCredentials, oauthError, requireGrant, scopesOf } from "./errors";
import { tokenResponse } from "./token-response";

const missing = (name: string): never =>
  oauthError(400, "invalid_request", `missing_${name}`, `The request is missing a required parameter: ${name}`);

function clientApp(ctx: RequestContext, clientId: string | undefined): Json {
  const app = clientId ? ctx.emu.state.applications[clientId] : undefined;
  if (app === undefined || app.active === false)
    oauthError(401, "invalid_client", "invalid_client_id", "Invalid client_id.");
  return app;
}

/** Whether the application may have refresh tokens for a grant that asked for `offline_access`. */
function offline(app: Json, scopes: string[]): boolean {
  return (
    scopes.includes("offline_access") &&
    app.oauthConfiguration.generateRefreshTokens !== false &&
    (app.oauthConfiguration.enabledGrants ?? []).includes("refresh_token")
  );
}

/** PKCE S256: base64url(SHA-256(verifier)) equals the challenge. */
function verifierMatches(verifier: string, challenge: string): boolean {
  const actual = Buffer.from(createHash("sha256").update(verifier).digest("base64url"));
  const expected = Buffer.from(challenge);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export async function authorizationCodeGrant(ctx: RequestContext, form: Json): Promise<Json> {
  const { state } = ctx.emu;
  if (!form.code) missing("code");
  const { clientId, clientSecret } = clientCredentials(ctx, form);
  if (!clientId) missing("client_id");
  const app = clientApp(ctx, clientId);
  authenticateClient(app, clientSecret, typeof form.code_verifier === "string" && form.code_verifier !== "");
  requireGrant(app, "authorization_code");
  const code = redeemCode(ctx.emu, form.code);
  if (code === undefined || code.clientId !== app.oauthConfiguration.clientId) {
    oauthError(400, "invalid_grant", "auth_code_not_found", "The authorization code is invalid, expired or used.");
  }
  if (form.redirect_uri !== code.redirectUri) {
    oauthError(
      400,
      "invalid_request",
      "invalid_redirect_uri",
      "The redirect_uri does not match the authorization request.",
    );
  }
  if (code.codeChallenge !== undefined) {
    if (!form.code_verifier) missing("code_verifier");
    if (!verifierMatches(form.code_verifier, code.codeChallenge))
      oauthError(
        400,
        "invalid_request",
        "invalid_pkce_code_verifier",
        "The code_verifier does not match the code_challenge.",
      );
  }
  const stored = state.users[code.userId];
  const tenant = stored === undefined ? undefined : state.tenants[stored.user.tenantId];
  if (stored === undefined || tenant === undefined || stored.user.active === false)
    oauthError(400, "invalid_grant", "login_prevented", "The user can no longer sign in.");
  const rt = offline(app, code.scopes)
    ? createRefreshToken(ctx.emu, stored.user, app, "PASSWORD", { scopes: code.scopes })
    : undefined;
  return tokenResponse(ctx.emu, {
    user: stored.user,
    tenant,
    app,
    scopes: code.scopes,
    authenticationType: "PASSWORD",
    authTime: code.authTime,
    refreshToken: rt,
    returnRefreshToken: true,
    nonce: code.nonce,
  });
}

export async function passwordGrant(ctx: RequestContext, form: Json): Promise<Json> {
  const { state } = ctx.emu;
  const { clientId, clientSecret } = clientCredentials(ctx, form);
  if (!clientId) missing("client_id");
  const app = clientApp(ctx, clientId);
  requireGrant(app, "password");
  authenticateClient(app, clientSecret, false);
  if (!form.username) missing("username");
  if (!form.password) missing("password");
  const [stored] = findByLoginId(state, app.tenantId, form.username);
  if (stored === undefined || !checkPassword(stored, form.password))
    oauthError(400, "invalid_grant", "invalid_user_credentials", "Invalid user credentials.");
  if (stored.user.active === false)
    oauthError(400, "invalid_grant", "login_prevented", "The user is not allowed to sign in.");
  const now = ctx.emu.clock.now();
  stored.user.lastLoginInstant = now;
  const scopes = scopesOf(form.scope);
  const rt = offline(app, scopes) ? createRefreshToken(ctx.emu, stored.user, app, "PASSWORD", { scopes }) : undefined;
  return tokenResponse(ctx.emu, {
    user: stored.user,
    tenant: state.tenants[app.tenantId],
    app,
    scopes,
    authenticationType: "PASSWORD",
    authTime: Math.floor(now / 1000),
    refreshToken: rt,
    returnRefreshToken: true,
  });
}

export async function refreshTokenGrant(ctx: RequestContext, form: Json): Promise<Json> {
  const { state } = ctx.emu;
  if (!form.refresh_token) missing("refresh_token");
  const { clientId, clientSecret } = clientCredentials(ctx, form);
  const found = findRefreshToken(state, form.refresh_token);
  const app = clientApp(ctx, clientId ?? found?.rt.applicationId);
  // A refresh carries no PKCE: `NotRequiredWhenUsingPKCE` clients (public apps) refresh without a secret,
  // as FusionAuth lets a session that began with PKCE do.
  authenticateClient(app, clientSecret, app.oauthConfiguration.clientAuthenticationPolicy !== "Required");
  requireGrant(app, "refresh_token");
  if (found === undefined || found.rt.applicationId !== app.id) {
    oauthError(400, "invalid_grant", "refresh_token_not_found", "The refresh token is invalid.");
  }
  const outcome = useRefreshToken(ctx.emu, form.refresh_token);
  if (!outcome.ok) {
    const reason =
      outcome.reason === "expired"
        ? "refresh_token_expired"
        : outcome.reason === "reused"
          ? "refresh_token_reused"
          : "refresh_token_not_found";
    return oauthError(
      400,
      "invalid_grant",
      reason,
      `The refresh token is ${outcome.reason === "unknown" ? "invalid" : outcome.reason}.`,
    );
  }
  const { rt, user, tenant } = outcome;
  const cfg = effectiveJwtConfig(tenant, app);
  const expiresIn = form.expires_in ? Number(form.expires_in) : undefined;
  const original: string[] = Array.isArray(rt.metaData?.scopes) ? rt.metaData.scopes : ["offline_access"];
  // A narrower `scope` may be asked (FusionAuth 1.50+); never a wider one.
  const asked = scopesOf(form.scope);
  const scopes = asked.length > 0 ? asked.filter((s) => original.includes(s)) : original;
  return tokenResponse(ctx.emu, {
    user,
    tenant,
    app,
    scopes,
    authenticationType: "REFRESH_TOKEN",
    authTime: rt.authTime,
    refreshToken: rt,
    // Emulator choice: a one-time-use token's current value is returned; a reusable one is not echoed.
    returnRefreshToken: cfg.refreshTokenUsagePolicy === "OneTimeUse",
    ttlSeconds: expiresIn !== undefined && expiresIn > 0 ? Math.min(expiresIn, cfg.timeToLiveInSeconds) : undefined,
  });
}
