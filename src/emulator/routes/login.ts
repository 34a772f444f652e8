/**
 * Login API and the JWT API (refresh, validate, refresh-token retrieve and revoke).
 * @see https://fusionauth.io/docs/apis/login
 * @see https://fusionauth.io/docs/apis/jwt
 */

import { ok, queryParam, type RequestContext, type Route } from "../context";
import { ApiError, fieldError, generalError, notFound, unauthorized } from "../errors";
import { assertJsonTypes } from "../json-types";
import { referencedKeyIds } from "../jwt-configuration";
import { peekHeader, verifyJwtSignature } from "../key-material";
import { inScope, visible } from "../scope";
import type { Json } from "../state";
import {
  createRefreshToken,
  effectiveJwtConfig,
  findRefreshToken,
  issueAccessToken,
  refreshTokenView,
  revokeRefreshTokens,
  useRefreshToken,
} from "../tokens";
import { checkPassword, findByLoginId } from "../user-model";

async function login(ctx: RequestContext) {
  const { state } = ctx.emu;
  assertJsonTypes(ctx.body, {
    loginId: "string",
    password: "string",
    applicationId: "uuid",
    noJWT: "boolean",
    metaData: "object",
  });
  const { loginId, password, applicationId, noJWT } = ctx.body ?? {};
  // Another tenant's application is, to a tenant-scoped request, one that does not exist.
  const app: Json | undefined = applicationId ? inScope(ctx, state.applications[applicationId]) : undefined;
  const scopeTenant = ctx.tenantId ?? app?.tenantId;
  // An API key is needed unless the application (or, without one, the tenant) disables requireAuthentication.
  const requireAuth = app
    ? app.loginConfiguration.requireAuthentication !== false
    : state.tenants[scopeTenant ?? ""]?.loginConfiguration?.requireAuthentication !== false;
  if (requireAuth && ctx.apiKey === undefined) unauthorized();
  if (!loginId) fieldError("loginId", "blank", "You must specify the [loginId] property.");
  if (!password) fieldError("password", "blank", "You must specify the [password] property.");
  if (applicationId && app === undefined)
    fieldError("applicationId", "invalid", `The application [${applicationId}] does not exist.`);
  const matches = findByLoginId(state, scopeTenant, loginId);
  if (matches.length > 1)
    generalError(
      "[TenantIdRequired]",
      "A Tenant Id is required to complete this request. The loginId exists in more than one tenant.",
    );
  const stored = matches[0];
  if (stored === undefined || !checkPassword(stored, password)) return notFound();
  // Emulator choice: a deactivated user (login prevented) gets 423, like a locked account.
  if (stored.user.active === false) throw new ApiError(423);
  const now = ctx.emu.clock.now();
  stored.user.lastLoginInstant = now;
  const tenant = state.tenants[stored.user.tenantId];
  const registered =
    app !== undefined && (stored.user.registrations ?? []).some((r: Json) => r.applicationId === app.id);
  const body: Json = { user: stored.user };
  let refreshTokenId: string | undefined;
  if (registered && app.loginConfiguration.generateRefreshTokens === true && app.active !== false) {
    const rt = createRefreshToken(ctx.emu, stored.user, app, "PASSWORD", ctx.body?.metaData ?? {});
    refreshTokenId = rt.id;
    Object.assign(body, { refreshToken: rt.token, refreshTokenId: rt.id });
  }
  if (noJWT !== true) {
    const at = await issueAccessToken(ctx.emu, {
      user: stored.user,
      tenant,
      app,
      registered,
      authenticationType: "PASSWORD",
      authTime: Math.floor(now / 1000),
      refreshTokenId,
    });
    Object.assign(body, { token: at.token, tokenExpirationInstant: at.expiresAt });
  }
  return { status: app !== undefined && !registered ? 202 : 200, body };
}

async function refresh(ctx: RequestContext) {
  assertJsonTypes(ctx.body, { refreshToken: "string", timeToLiveInSeconds: "integer" });
  const { refreshToken, timeToLiveInSeconds } = ctx.body ?? {};
  if (!refreshToken) fieldError("refreshToken", "blank", "You must specify the [refreshToken] property.");
  // Emulator choice: the JWT refresh API honours loginConfiguration.allowTokenRefresh (the OAuth grant does not).
  const found = findRefreshToken(ctx.emu.state, refreshToken);
  // A tenant-scoped request (header or tenant-locked key) cannot use another tenant's token: it answers as for
  // an unknown one, before the token is used (a one-time token would otherwise rotate).
  if (found !== undefined && inScope(ctx, found.rt) === undefined)
    return fieldError("refreshToken", "invalid", "The refresh token is invalid.");
  const owner = found && ctx.emu.state.applications[found.rt.applicationId];
  if (owner !== undefined && owner.loginConfiguration.allowTokenRefresh !== true) {
    generalError(
      "[TokenRefreshNotAllowed]",
      `The application [${owner.id}] does not allow token refresh (loginConfiguration.allowTokenRefresh).`,
    );
  }
  const outcome = useRefreshToken(ctx.emu, refreshToken);
  if (!outcome.ok) {
    return fieldError(
      "refreshToken",
      "invalid",
      `The refresh token is ${outcome.reason === "unknown" ? "invalid" : outcome.reason}.`,
    );
  }
  const { rt, user, app, tenant } = outcome;
  const cfg = effectiveJwtConfig(tenant, app);
  if (
    timeToLiveInSeconds !== undefined &&
    !(
      Number.isInteger(timeToLiveInSeconds) &&
      timeToLiveInSeconds > 0 &&
      timeToLiveInSeconds <= cfg.timeToLiveInSeconds
    )
  ) {
    fieldError(
      "timeToLiveInSeconds",
      "invalid",
      `The [timeToLiveInSeconds] must be between 1 and ${cfg.timeToLiveInSeconds}.`,
    );
  }
  const registered = (user.registrations ?? []).some((r: Json) => r.applicationId === app.id);
  const at = await issueAccessToken(ctx.emu, {
    user,
    tenant,
    app,
    registered,
    authenticationType: "REFRESH_TOKEN",
    authTime: rt.authTime,
    refreshTokenId: rt.id,
    ttlSeconds: timeToLiveInSeconds,
  });
  return ok({ token: at.token, refreshToken: rt.token, refreshTokenId: rt.id });
}

/** Verifies an access token against its tenant/application signing and verification keys, on the emulator clock. */
export async function validateAccessToken(ctx: RequestContext, token: string): Promise<Json | undefined> {
  const { state } = ctx.emu;
  const kid = peekHeader(token)?.kid;
  const key = Object.values(state.keys).find((k) => k.kid === kid);
  if (key === undefined) return undefined;
  let claims: Json;
  try {
    claims = await verifyJwtSignature(token, key);
  } catch {
    return undefined;
  }
  const tenant = state.tenants[claims.tid];
  if (tenant === undefined) return undefined;
  const cfg = effectiveJwtConfig(tenant, claims.aud ? state.applications[claims.aud] : undefined);
  const trusted = [
    cfg.accessTokenKeyId,
    ...referencedKeyIds({ accessTokenVerificationKeyIds: cfg.accessTokenVerificationKeyIds }),
  ];
  if (!trusted.includes(key.id)) return undefined;
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= ctx.emu.clock.now()) return undefined;
  return claims;
}

/** The `access_token` cookie of a `Cookie` header, when there is one. */
export function accessTokenCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === "access_token") return part.slice(i + 1).trim() || undefined;
  }
  return undefined;
}

const q = queryParam;

export const loginRoutes: Route[] = [
  { method: "POST", template: "/api/login", endpoint: "/api/login", kind: "session", auth: "optional", handle: login },
  {
    method: "POST",
    template: "/api/jwt/refresh",
    endpoint: "/api/jwt/refresh",
    kind: "session",
    auth: "none",
    handle: refresh,
  },
  {
    method: "GET",
    template: "/api/jwt/validate",
    endpoint: "/api/jwt/validate",
    kind: "read",
    auth: "none",
    handle: async (ctx) => {
      // The Authorization header, else the `access_token` cookie FusionAuth's hosted pages set.
      const header = String(ctx.headers.authorization ?? "");
      const token = header.startsWith("Bearer ") ? header.slice(7) : accessTokenCookie(ctx.headers.cookie);
      const claims = token === undefined ? undefined : await validateAccessToken(ctx, token);
      // Another tenant's token is, to a tenant-scoped request, as invalid as a forged one.
      const scoped = claims !== undefined && inScope(ctx, { tenantId: claims.tid }) !== undefined;
      return scoped ? ok({ jwt: claims }) : unauthorized();
    },
  },
  {
    method: "GET",
    template: "/api/jwt/refresh",
    endpoint: "/api/jwt/refresh",
    kind: "read",
    auth: "apiKey",
    handle: (ctx) => {
      const userId = q(ctx, "userId");
      if (userId === undefined) fieldError("userId", "blank", "You must specify the [userId] parameter.");
      visible(ctx, ctx.emu.state.users[userId]?.user);
      const list = Object.values(ctx.emu.state.refreshTokens)
        .filter((t) => t.userId === userId)
        .sort((a, b) => b.insertInstant - a.insertInstant);
      return ok({ refreshTokens: list.slice(0, 1000).map(refreshTokenView) });
    },
  },
  {
    method: "GET",
    template: "/api/jwt/refresh/{tokenId}",
    endpoint: "/api/jwt/refresh",
    kind: "read",
    auth: "apiKey",
    handle: (ctx) => {
      const rt = ctx.emu.state.refreshTokens[ctx.params.tokenId as string];
      visible(ctx, rt);
      return ok({ refreshToken: refreshTokenView(rt as NonNullable<typeof rt>) });
    },
  },
  {
    method: "DELETE",
    template: "/api/jwt/refresh/{tokenId}",
    endpoint: "/api/jwt/refresh",
    kind: "session",
    auth: "apiKey",
    handle: (ctx) => {
      const rt = ctx.emu.state.refreshTokens[ctx.params.tokenId as string];
      visible(ctx, rt);
      delete ctx.emu.state.refreshTokens[ctx.params.tokenId as string];
      return ok();
    },
  },
  {
    method: "DELETE",
    template: "/api/jwt/refresh",
    endpoint: "/api/jwt/refresh",
    kind: "session",
    auth: "apiKey",
    handle: (ctx) => {
      const { state } = ctx.emu;
      const token = q(ctx, "token") ?? ctx.body?.token;
      const userId = q(ctx, "userId") ?? ctx.body?.userId;
      const applicationId = q(ctx, "applicationId") ?? ctx.body?.applicationId;
      // Unknown and other-tenant tokens, users and applications answer the same 404 (scope.ts: visible).
      if (token !== undefined) {
        const rt = visible(
          ctx,
          Object.values(state.refreshTokens).find((t) => t.token === token),
        );
        delete state.refreshTokens[rt.id];
        return ok();
      }
      if (userId === undefined && applicationId === undefined) {
        fieldError("token", "blank", "You must specify a [token], [userId] or [applicationId].");
      }
      if (userId !== undefined) visible(ctx, state.users[userId]?.user);
      if (applicationId !== undefined) visible(ctx, state.applications[applicationId]);
      revokeRefreshTokens(state, { userId, applicationId, tenantId: ctx.tenantId });
      return ok();
    },
  },
];
