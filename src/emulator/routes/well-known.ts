/**
 * JWKS, OpenID discovery and the public-key API.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#json-web-key-set-jwks
 * @see https://fusionauth.io/docs/apis/jwt#retrieve-public-keys
 */

import { ok, queryParam, type RequestContext, type Route } from "../context";
import { ApiError, notFound } from "../errors";
import { publicJwk } from "../key-material";
import type { Json } from "../state";
import { DEFAULT_TENANT_ID } from "../tenant-model";
import { effectiveJwtConfig } from "../tokens";
import { SUPPORTED_GRANTS } from "./oauth";

/** Every asymmetric key, key pairs and imported public keys alike, in insertion order; never HMAC. */
function jwks(ctx: RequestContext) {
  const keys = Object.values(ctx.emu.state.keys)
    .filter((k) => k.type !== "HMAC")
    .sort((a, b) => a.insertInstant - b.insertInstant)
    .map((k) => publicJwk(k))
    .filter((k) => k !== undefined);
  return ok({ keys });
}

function discovery(ctx: RequestContext, tenantId: string | undefined) {
  const tenant: Json | undefined = ctx.emu.state.tenants[tenantId ?? ctx.tenantId ?? DEFAULT_TENANT_ID];
  if (tenant === undefined) return notFound();
  const o = ctx.origin;
  const algs = ["ES256", "ES384", "ES512", "Ed25519", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512"];
  // Only what the emulator serves: every URL answers, every listed grant and response type works.
  return ok({
    issuer: tenant.issuer,
    authorization_endpoint: `${o}/oauth2/authorize`,
    token_endpoint: `${o}/oauth2/token`,
    userinfo_endpoint: `${o}/oauth2/userinfo`,
    end_session_endpoint: `${o}/oauth2/logout`,
    jwks_uri: `${o}/.well-known/jwks.json`,
    backchannel_logout_supported: false,
    frontchannel_logout_supported: false,
    claims_supported: [
      "applicationId",
      "at_hash",
      "aud",
      "authenticationType",
      "auth_time",
      "email",
      "email_verified",
      "exp",
      "iat",
      "iss",
      "jti",
      "nonce",
      "preferred_username",
      "roles",
      "sid",
      "sub",
      "tid",
    ],
    code_challenge_methods_supported: ["S256"],
    grant_types_supported: SUPPORTED_GRANTS,
    id_token_signing_alg_values_supported: algs,
    response_modes_supported: ["query"],
    response_types_supported: ["code"],
    scopes_supported: ["openid", "offline_access", "email", "profile"],
    subject_types_supported: ["public"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
  });
}

function publicKeys(ctx: RequestContext) {
  const { state } = ctx.emu;
  const pem = (id: string | undefined) => (id ? state.keys[id] : undefined);
  const appId = queryParam(ctx, "applicationId");
  const kid = queryParam(ctx, "kid");
  if (appId !== undefined) {
    const app = state.applications[appId] ?? notFound();
    const key = pem(effectiveJwtConfig(state.tenants[app.tenantId], app).accessTokenKeyId);
    return key?.publicKey ? ok({ publicKey: key.publicKey }) : ok({});
  }
  if (kid !== undefined) {
    const key = Object.values(state.keys).find((k) => k.kid === kid && k.publicKey !== undefined);
    if (key === undefined) throw new ApiError(404);
    return ok({ publicKey: key.publicKey });
  }
  const all: Record<string, string> = {};
  for (const k of Object.values(state.keys)) if (k.publicKey) all[k.kid] = k.publicKey;
  return ok({ publicKeys: all });
}

export const wellKnownRoutes: Route[] = [
  {
    method: "GET",
    template: "/.well-known/jwks.json",
    endpoint: "/.well-known/jwks.json",
    kind: "read",
    auth: "none",
    handle: jwks,
  },
  {
    method: "GET",
    template: "/.well-known/openid-configuration",
    endpoint: "/.well-known/openid-configuration",
    kind: "read",
    auth: "none",
    handle: (ctx) => discovery(ctx, queryParam(ctx, "tenantId")),
  },
  {
    method: "GET",
    template: "/{tenantId}/.well-known/openid-configuration",
    endpoint: "/.well-known/openid-configuration",
    kind: "read",
    auth: "none",
    handle: (ctx) => discovery(ctx, ctx.params.tenantId),
  },
  {
    method: "GET",
    template: "/api/jwt/public-key",
    endpoint: "/api/jwt/public-key",
    kind: "read",
    auth: "none",
    handle: publicKeys,
  },
];
