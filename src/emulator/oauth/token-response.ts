/**
 * The token endpoint's success answer, shared by its grants: the access token, the refresh token when the
 * session has one, and the id token (signed with the governing `idTokenKeyId`) when `openid` was asked.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/tokens#id-token
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeIDToken
 */
import { createHash, randomUUID } from "node:crypto";
import type { EmulatorContext } from "../context";
import { ApiError } from "../errors";
import { signJwt } from "../key-material";
import type { Json, StoredRefreshToken } from "../state";
import { effectiveJwtConfig, issueAccessToken } from "../tokens";

export interface TokenResponseInput {
  user: Json;
  tenant: Json;
  app: Json;
  scopes: string[];
  authenticationType: string;
  /** Seconds since epoch of the authentication. */
  authTime: number;
  /** The session, when the grant started or used one; its current value is returned when `returnRefreshToken`. */
  refreshToken?: StoredRefreshToken;
  returnRefreshToken: boolean;
  nonce?: string;
  /** Requested access-token lifetime (only shortens it). */
  ttlSeconds?: number;
}

/** `at_hash`: the left half of the SHA-2 digest of the access token that matches the id token's algorithm. */
function atHash(accessToken: string, alg: string): string {
  const bits = alg === "Ed25519" ? 512 : Number(alg.slice(2));
  const digest = createHash(`sha${bits === 384 || bits === 512 ? bits : 256}`)
    .update(accessToken)
    .digest();
  return digest.subarray(0, digest.length / 2).toString("base64url");
}

async function idToken(emu: EmulatorContext, input: TokenResponseInput, accessToken: string): Promise<string> {
  const cfg = effectiveJwtConfig(input.tenant, input.app);
  const key = emu.state.keys[cfg.idTokenKeyId];
  if (key === undefined || (key.privateKey === undefined && key.secret === undefined)) throw new ApiError(500);
  const iat = Math.floor(emu.clock.now() / 1000);
  const { user, app } = input;
  const registration = (user.registrations ?? []).find((r: Json) => r.applicationId === app.id);
  const claims: Record<string, unknown> = {
    aud: app.oauthConfiguration.clientId,
    exp: iat + cfg.timeToLiveInSeconds,
    iat,
    iss: input.tenant.issuer,
    sub: user.id,
    jti: randomUUID(),
    authenticationType: input.authenticationType,
    auth_time: input.authTime,
    at_hash: atHash(accessToken, key.algorithm),
    tid: input.tenant.id,
  };
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  if (user.email !== undefined) Object.assign(claims, { email: user.email, email_verified: user.verified !== false });
  if (user.username !== undefined) claims.preferred_username = user.username;
  if (registration !== undefined) Object.assign(claims, { applicationId: app.id, roles: registration.roles ?? [] });
  if (input.refreshToken !== undefined) claims.sid = input.refreshToken.id;
  return signJwt(key, {}, claims);
}

/** The token endpoint's 200 body. */
export async function tokenResponse(emu: EmulatorContext, input: TokenResponseInput): Promise<Json> {
  const registered = (input.user.registrations ?? []).some((r: Json) => r.applicationId === input.app.id);
  const scope = input.scopes.join(" ");
  const at = await issueAccessToken(emu, {
    user: input.user,
    tenant: input.tenant,
    app: input.app,
    registered,
    authenticationType: input.authenticationType,
    authTime: input.authTime,
    refreshTokenId: input.refreshToken?.id,
    ttlSeconds: input.ttlSeconds,
    scope,
  });
  const body: Json = { access_token: at.token, expires_in: at.ttl, token_type: "Bearer", userId: input.user.id };
  if (scope !== "") body.scope = scope;
  if (input.scopes.includes("openid")) body.id_token = await idToken(emu, input, at.token);
  if (input.refreshToken !== undefined && input.returnRefreshToken) {
    Object.assign(body, { refresh_token: input.refreshToken.token, refresh_token_id: input.refreshToken.id });
  }
  return body;
}
