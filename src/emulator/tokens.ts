/**
 * Access tokens and refresh tokens: which configuration applies, signing, expiry under the three expiration
 * policies, one-time-use rotation with its grace period, reuse revocation and the revocation triggers.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/tokens
 * @see https://fusionauth.io/docs/apis/jwt
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { EmulatorContext } from "./context";
import { ApiError } from "./errors";
import { signJwt } from "./key-material";
import type { EmulatorState, Json, StoredRefreshToken } from "./state";

/**
 * The jwtConfiguration that governs tokens of `app` in `tenant`: the application's own block when enabled,
 * else the tenant's. The revocation policy is tenant-only.
 */
export function effectiveJwtConfig(tenant: Json, app: Json | undefined): Json {
  const own = app?.jwtConfiguration?.enabled === true ? app.jwtConfiguration : tenant.jwtConfiguration;
  return { ...own, refreshTokenRevocationPolicy: tenant.jwtConfiguration.refreshTokenRevocationPolicy };
}

export interface AccessTokenInput {
  user: Json;
  tenant: Json;
  app?: Json;
  registered: boolean;
  authenticationType: string;
  authTime: number;
  refreshTokenId?: string;
  /** Requested lifetime in seconds; only shortens the configured TTL. */
  ttlSeconds?: number;
  /** The OAuth scopes granted (space-separated); default `offline_access` when there is a refresh token. */
  scope?: string;
}

/** Signs an access token; returns it with its expiry in epoch milliseconds. */
export async function issueAccessToken(
  emu: EmulatorContext,
  input: AccessTokenInput,
): Promise<{ token: string; expiresAt: number; ttl: number }> {
  const cfg = effectiveJwtConfig(input.tenant, input.app);
  const key = emu.state.keys[cfg.accessTokenKeyId];
  if (key === undefined || (key.privateKey === undefined && key.secret === undefined)) throw new ApiError(500);
  const iat = Math.floor(emu.clock.now() / 1000);
  const ttl = Math.min(cfg.timeToLiveInSeconds, input.ttlSeconds ?? Number.POSITIVE_INFINITY);
  const claims: Record<string, unknown> = {
    iat,
    exp: iat + ttl,
    iss: input.tenant.issuer,
    sub: input.user.id,
    jti: randomUUID(),
    tid: input.tenant.id,
    authenticationType: input.authenticationType,
    auth_time: input.authTime,
  };
  if (input.app !== undefined) claims.aud = input.app.id;
  if (input.app !== undefined && input.registered) {
    claims.applicationId = input.app.id;
    const reg = (input.user.registrations ?? []).find((r: Json) => r.applicationId === input.app?.id);
    claims.roles = reg?.roles ?? [];
  }
  if (input.refreshTokenId !== undefined) claims.sid = input.refreshTokenId;
  const scope = input.scope ?? (input.refreshTokenId !== undefined ? "offline_access" : undefined);
  if (scope !== undefined && scope !== "") claims.scope = scope;
  const token = await signJwt(key, {}, claims);
  return { token, expiresAt: (iat + ttl) * 1000, ttl };
}

const newTokenValue = () => randomBytes(40).toString("base64url");

/** Starts a refresh-token session for a login. */
export function createRefreshToken(
  emu: EmulatorContext,
  user: Json,
  app: Json,
  authenticationType: string,
  metaData: Json,
): StoredRefreshToken {
  const now = emu.clock.now();
  const rt: StoredRefreshToken = {
    id: randomUUID(),
    token: newTokenValue(),
    userId: user.id,
    applicationId: app.id,
    tenantId: user.tenantId,
    insertInstant: now,
    startInstant: now,
    lastUsedInstant: now,
    authTime: Math.floor(now / 1000),
    retired: [],
    metaData: metaData ?? {},
    authenticationType,
  };
  emu.state.refreshTokens[rt.id] = rt;
  return rt;
}

/** When a refresh token expires under `cfg`'s expiration policy (epoch ms). */
export function refreshTokenExpiry(rt: StoredRefreshToken, cfg: Json): number {
  const ttl = cfg.refreshTokenTimeToLiveInMinutes * 60_000;
  switch (cfg.refreshTokenExpirationPolicy) {
    case "SlidingWindow":
      return rt.lastUsedInstant + ttl;
    case "SlidingWindowWithMaximumLifetime":
      return Math.min(
        rt.lastUsedInstant + ttl,
        rt.startInstant + cfg.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes * 60_000,
      );
    default:
      return rt.startInstant + ttl;
  }
}

export type RefreshOutcome =
  | { ok: true; rt: StoredRefreshToken; user: Json; app: Json; tenant: Json; rotated: boolean }
  | { ok: false; reason: "unknown" | "expired" | "reused" | "inactive" };

const RETIRED_KEPT = 100;

/**
 * Uses a refresh token value: checks it, applies the sliding window, rotates a one-time-use token. Reusing a
 * rotated value inside the grace period returns the current value unrotated; after it, the request fails
 * and, with `onOneTimeTokenReuse`, the session is revoked.
 */
/** Finds the session a refresh token value belongs to, current or retired. */
export function findRefreshToken(
  state: EmulatorState,
  value: string,
): { rt: StoredRefreshToken; reused?: { retiredInstant: number } } | undefined {
  const rt = Object.values(state.refreshTokens).find((t) => t.token === value);
  if (rt !== undefined) return { rt };
  for (const t of Object.values(state.refreshTokens)) {
    const r = t.retired.find((x) => x.token === value);
    if (r !== undefined) return { rt: t, reused: r };
  }
  return undefined;
}

export function useRefreshToken(emu: EmulatorContext, value: string): RefreshOutcome {
  const { state } = emu;
  const now = emu.clock.now();
  const found = findRefreshToken(state, value);
  if (found === undefined) return { ok: false, reason: "unknown" };
  const { rt, reused } = found;
  const stored = state.users[rt.userId];
  const tenant = state.tenants[rt.tenantId];
  const app = state.applications[rt.applicationId];
  if (stored === undefined || tenant === undefined || app === undefined) {
    delete state.refreshTokens[rt.id];
    return { ok: false, reason: "unknown" };
  }
  const cfg = effectiveJwtConfig(tenant, app);
  if (now >= refreshTokenExpiry(rt, cfg)) {
    delete state.refreshTokens[rt.id];
    return { ok: false, reason: "expired" };
  }
  if (stored.user.active === false || app.active === false) return { ok: false, reason: "inactive" };
  if (reused !== undefined) {
    const grace = cfg.refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds * 1000;
    if (grace > 0 && now - reused.retiredInstant <= grace) {
      rt.lastUsedInstant = now;
      return { ok: true, rt, user: stored.user, app, tenant, rotated: false };
    }
    if (cfg.refreshTokenRevocationPolicy.onOneTimeTokenReuse === true) delete state.refreshTokens[rt.id];
    return { ok: false, reason: "reused" };
  }
  rt.lastUsedInstant = now;
  let rotated = false;
  if (cfg.refreshTokenUsagePolicy === "OneTimeUse") {
    rt.retired = [...rt.retired, { token: rt.token, retiredInstant: now }].slice(-RETIRED_KEPT);
    rt.token = newTokenValue();
    rt.insertInstant = now;
    rotated = true;
  }
  return { ok: true, rt, user: stored.user, app, tenant, rotated };
}

/** Revokes refresh tokens matching every given filter; returns how many. */
export function revokeRefreshTokens(
  state: EmulatorState,
  filter: { userId?: string; applicationId?: string; tenantId?: string },
): number {
  let n = 0;
  for (const rt of Object.values(state.refreshTokens)) {
    if (filter.userId !== undefined && rt.userId !== filter.userId) continue;
    if (filter.applicationId !== undefined && rt.applicationId !== filter.applicationId) continue;
    if (filter.tenantId !== undefined && rt.tenantId !== filter.tenantId) continue;
    delete state.refreshTokens[rt.id];
    n++;
  }
  return n;
}

/** The API view of a refresh token. */
export function refreshTokenView(rt: StoredRefreshToken): Json {
  return {
    id: rt.id,
    token: rt.token,
    userId: rt.userId,
    applicationId: rt.applicationId,
    tenantId: rt.tenantId,
    insertInstant: rt.insertInstant,
    startInstant: rt.startInstant,
    metaData: rt.metaData,
    data: {},
  };
}
